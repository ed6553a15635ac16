/** Rewrites the README's configuration table from src/config.ts: `npm run docs:config`. */
import { readFile, writeFile } from 'node:fs/promises';
import { configTableMarkdown } from '../src/config.js';

const path = new URL('../README.md', import.meta.url);
const readme = await readFile(path, 'utf8');
const next = readme.replace(/(<!-- config-table:start -->\n)[\s\S]*?(\n<!-- config-table:end -->)/, `$1${configTableMarkdown()}$2`);
await writeFile(path, next);
console.log(next === readme ? 'README configuration table already current' : 'README configuration table updated');
