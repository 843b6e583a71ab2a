import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfigReference, END, START } from '../../helpers/config-reference.js';

const root = join(import.meta.dirname, '..', '..', '..');
const readmePath = join(root, 'README.md');

describe('README', () => {
  it('documents every config setting exactly as schemas/config.schema.json defines it', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const expected = buildConfigReference(root);
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README.md lacks the config reference block').toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + END.length);
    if (process.env.UPDATE_DOCS === '1' && current !== expected) {
      writeFileSync(readmePath, readme.replace(current, expected));
      return;
    }
    expect(current).toBe(expected);
  });

  it('names the test command CI runs', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toContain('npm ci && npm test');
  });
});
