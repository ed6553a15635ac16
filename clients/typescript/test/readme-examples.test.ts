/**
 * The repository README's TypeScript and LangGraph.js examples, run as written (as ES modules in
 * this package, importing it by its name, so they use the built dist/) against a real service.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, serviceAvailable, startService, type Service } from './service.js';

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const available = serviceAvailable();

function example(name: string): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- example:${name} -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m) throw new Error(`README has no example:${name}`);
  return m[1]!;
}

async function runExample(name: string, address: string): Promise<string> {
  const file = join(PACKAGE, `.readme-example-${name}.mjs`);
  await writeFile(file, example(name));
  try {
    const { stdout } = await run(process.execPath, [file], { cwd: PACKAGE, env: { ...process.env, MEMORY_ENGINE_ADDRESS: address }, timeout: 30_000 });
    return stdout;
  } finally {
    await rm(file, { force: true });
  }
}

describe.skipIf(!available)('README examples', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  }, 90_000);
  afterAll(async () => {
    await service?.destroy();
  });

  it('TypeScript: remembers, searches and assembles a context', async () => {
    const out = await runExample('typescript', service.address);
    expect(out).toContain("[ 'Alice is allergic to peanuts' ]");
    expect(out).toMatch(/Alice is allergic to peanuts.*\n/);
    expect(out.split('\n').length).toBeGreaterThan(2);
  });

  it('LangGraph.js: the store finds the allergy by meaning', async () => {
    const out = await runExample('langgraph', service.address);
    expect(out.trim()).toBe("allergy { text: 'Alice is allergic to peanuts' }");
  });
});
