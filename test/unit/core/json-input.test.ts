import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/core/defaults.js';
import { TapError } from '../../../src/core/errors.js';
import { measureJsonDepth, parseJsonInput, readJsonInput } from '../../../src/core/json-input.js';

const nested = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tap-json-')), 'input.json');
  writeFileSync(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<TapError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TapError);
    return error as TapError;
  }
  throw new Error('expected a failure');
}

describe('measureJsonDepth', () => {
  it('counts nesting of arrays and objects, not brackets inside strings', () => {
    expect(measureJsonDepth('1')).toBe(0);
    expect(measureJsonDepth('{}')).toBe(1);
    expect(measureJsonDepth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(measureJsonDepth('{"a":"[[[[{{{{\\"[[["}')).toBe(1);
    expect(measureJsonDepth(nested(5000))).toBe(5000);
  });

  it('stops at the first level past the limit', () => {
    expect(measureJsonDepth(nested(5000), 10)).toBe(11);
  });
});

describe('parseJsonInput', () => {
  const config = { kind: 'config', label: 'the config file c.json' } as const;

  it('parses JSON, treats blank text as empty and ignores a byte-order mark', () => {
    expect(parseJsonInput('{"a": [1]}', config)).toEqual({ a: [1] });
    expect(parseJsonInput('  \n', config)).toBeUndefined();
    expect(parseJsonInput('\uFEFF{"a": 1}', config)).toEqual({ a: 1 });
  });

  it('refuses a config nested 5,000 levels deep in one line naming the input and the limit', () => {
    const text = nested(5000);
    expect(text.length).toBeLessThan(30_000);
    let error: unknown;
    try {
      parseJsonInput(text, config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'TAP_CONFIG_TOO_DEEP', kind: 'config' });
    expect((error as Error).message).toBe(
      `The config file c.json nests arrays and objects more than ${DEFAULTS.jsonInputMaxDepth} levels deep, the most a config may: check that it is the right file.`,
    );
  });

  it('accepts exactly the deepest nesting allowed', () => {
    expect(() => parseJsonInput(nested(DEFAULTS.jsonInputMaxDepth), config)).not.toThrow();
    expect(() => parseJsonInput(nested(DEFAULTS.jsonInputMaxDepth + 1), config)).toThrow(/more than 64 levels/);
  });

  it('names catalogs and states with their own codes', () => {
    expect(() => parseJsonInput(nested(100), { kind: 'catalog', label: 'the catalog file x' })).toThrow(expect.objectContaining({ code: 'TAP_CATALOG_TOO_DEEP' }));
    expect(() => parseJsonInput('[', { kind: 'state', label: 'the state file x' })).toThrow(expect.objectContaining({ code: 'TAP_STATE_INVALID_JSON' }));
    expect(() => parseJsonInput('{"a": 1', { kind: 'state', label: 'the state file x', limits: { maxBytes: 4 } })).toThrow(expect.objectContaining({ code: 'TAP_STATE_TOO_LARGE' }));
  });

  it('says where invalid JSON breaks without quoting the content (it may hold secrets)', () => {
    let message = '';
    try {
      parseJsonInput('{\n  "client_secret": "leaky-secret-value",\n}', config);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^The config file c\.json is not valid JSON/);
    expect(message).not.toContain('leaky');
    expect(message).not.toContain('\n');
  });
});

describe('readJsonInput', () => {
  it('reads files and stdin', async () => {
    await expect(readJsonInput({ kind: 'state', path: fileWith('{"bookmarks": {}}') })).resolves.toEqual({ bookmarks: {} });
    await expect(readJsonInput({ kind: 'config', path: '-', stdin: Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]) })).resolves.toEqual({ a: 1 });
  });

  it('refuses a file larger than the limit before reading it, naming the limit', async () => {
    const error = await failure(readJsonInput({ kind: 'config', path: fileWith(`{"a": "${'x'.repeat(DEFAULTS.jsonInputMaxBytes.config)}"}`) }));
    expect(error.code).toBe('TAP_CONFIG_TOO_LARGE');
    expect(error.message).toMatch(/is larger than 1 MiB, the most a config may hold/);
  });

  it('stops reading stdin once it passes the limit', async () => {
    let pulled = 0;
    const endless = Readable.from((function* () {
      for (;;) {
        pulled++;
        yield Buffer.alloc(64 * 1024, 0x20);
      }
    })());
    const error = await failure(readJsonInput({ kind: 'state', path: '-', stdin: endless, limits: { maxBytes: 1024 * 1024 } }));
    expect(error.code).toBe('TAP_STATE_TOO_LARGE');
    expect(error.message).toContain('The state from stdin');
    expect(pulled).toBeLessThan(40);
  });

  it('names a missing file and an input with no stdin to read', async () => {
    const missing = await failure(readJsonInput({ kind: 'catalog', path: '/nonexistent/catalog.json' }));
    expect(missing).toMatchObject({ code: 'TAP_CATALOG_UNREADABLE', message: 'Cannot read the catalog file /nonexistent/catalog.json: no such file.' });
    expect(await failure(readJsonInput({ kind: 'config', path: '-' }))).toMatchObject({ code: 'TAP_CONFIG_UNREADABLE' });
  });
});
