import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown } from '../../src/config.js';

describe('README', () => {
  it('shows exactly the configuration table the code parses', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const m = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    expect(m, 'README has the config-table markers').not.toBeNull();
    expect(m![1]).toBe(configTableMarkdown());
  });

  it('gives the test command that .ci/run runs', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const ci = await readFile(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
