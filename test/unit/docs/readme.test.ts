import { execSync } from 'node:child_process';
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

  it('lists in its troubleshooting table only error codes the tap can raise', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const table = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Scaling out'));
    const codes = [...table.matchAll(/`((?:SF|TAP)_[A-Z_]+)\*?`/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(10);
    // Every word of the sources, upper-cased: Salesforce's codes appear as table keys or in lower case.
    const words = new Set(execSync(`grep -rhoE "[A-Za-z_]{4,}" ${join(root, 'src')}`, { encoding: 'utf8' }).split('\n').map((w) => w.toUpperCase()));
    for (const code of codes) {
      // SF_ codes are built from Salesforce's own (`SF_${errorCode}`), so the bare code must appear.
      const known = code.endsWith('_') ? [...words].some((w) => w.startsWith(code)) : words.has(code) || (code.startsWith('SF_') && words.has(code.slice(3)));
      expect(known, code).toBe(true);
    }
  });
});
