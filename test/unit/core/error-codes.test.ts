import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodeInfo } from '../../../src/core/error-codes.js';
import { TapError } from '../../../src/core/errors.js';
import { buildErrorCodeTable, TABLE_END, TABLE_START } from '../../helpers/error-code-table.js';

const root = join(import.meta.dirname, '..', '..', '..');
const readmePath = join(root, 'README.md');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const registryFile = join(root, 'src', 'core', 'error-codes.ts');
const srcFiles = sources(join(root, 'src'))
  .filter((path) => path !== registryFile)
  .map((path) => readFileSync(path, 'utf8'));
const srcText = srcFiles.join('\n');
const emulatorText = sources(join(root, 'emulator')).map((path) => readFileSync(path, 'utf8')).join('\n');

/**
 * Every code written in src/: whole string literals (`'TAP_CSV_MALFORMED'`), and codes a file
 * builds from a prefix literal and a template suffix (`'TAP_STATE'` + `${prefix}_TOO_DEEP`).
 */
function thrownCodes(): Set<string> {
  const codes = new Set<string>();
  for (const text of srcFiles) {
    const literals = [...text.matchAll(/['"`]((?:TAP|SF)_[A-Za-z0-9_]*[A-Za-z0-9])['"`]/g)].map((m) => m[1]!);
    const suffixes = [...text.matchAll(/\}(_[A-Z0-9_]+)`/g)].map((m) => m[1]!);
    for (const literal of literals) {
      // Environment variables (TAP_SALESFORCE_CLIENT_ID) are not error codes.
      if (literal.startsWith('TAP_SALESFORCE_')) continue;
      if (errorCodeInfo(literal) === undefined && suffixes.length > 0) suffixes.forEach((suffix) => codes.add(literal + suffix));
      else codes.add(literal);
    }
  }
  return codes;
}
const literalCodes = thrownCodes();

describe('error code registry', () => {
  it('knows every code the sources throw', () => {
    expect(literalCodes.size).toBeGreaterThan(40);
    const unknown = [...literalCodes].filter((code) => errorCodeInfo(code) === undefined);
    expect(unknown, 'codes thrown in src/ but missing from src/core/error-codes.ts').toEqual([]);
  });

  it('holds no code the tap cannot raise', () => {
    const ours = ERROR_CODES.filter((info) => info.code.startsWith('TAP_') && !literalCodes.has(info.code)).map((info) => info.code);
    expect(ours, 'TAP_ codes no source throws').toEqual([]);
    // SF_ codes are Salesforce's errorCode behind the prefix: the tap or the emulator must name it,
    // except these, which only a real org sends (the wire reference lists them).
    const salesforceOnly = new Set(['INSUFFICIENT_ACCESS_OR_READONLY', 'TXN_SECURITY_METERING_ERROR', 'OPERATION_TOO_LARGE']);
    const theirs = ERROR_CODES.filter((info) => info.code.startsWith('SF_') && !salesforceOnly.has(info.code.slice(3))).map((info) => info.code.slice(3));
    const named = (code: string) => srcText.includes(`SF_${code}`) || new RegExp(`\\b${code}\\b`, 'i').test(srcText) || new RegExp(`\\b${code}\\b`, 'i').test(emulatorText);
    expect(theirs.filter((code) => !named(code))).toEqual([]);
  });

  it('gives every code advice and a README section that exists', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const anchors = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const info of ERROR_CODES) {
      expect(info.advice.length, info.code).toBeGreaterThan(20);
      expect(anchors.has(info.docs), `${info.code} → #${info.docs}`).toBe(true);
    }
    expect(new Set(ERROR_CODES.map((info) => info.code)).size).toBe(ERROR_CODES.length);
  });

  it('gives a TapError its code\'s kind unless the thrower says otherwise', () => {
    expect(new TapError('TAP_CATALOG_UNKNOWN_STREAM', 'x').exitCode).toBe(3);
    expect(new TapError('SF_REQUEST_LIMIT_EXCEEDED', 'x').kind).toBe('quota');
    expect(new TapError('TAP_NETWORK_ERROR', 'x', { kind: 'interrupted' }).kind).toBe('interrupted');
    expect(new TapError('TAP_SOMETHING_NEW', 'x').kind).toBe('internal');
  });

  it('is the README troubleshooting table (UPDATE_DOCS=1 regenerates it)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'README.md lacks the generated error code table').toBeGreaterThanOrEqual(0);
    const current = readme.slice(start, end + TABLE_END.length);
    const expected = buildErrorCodeTable();
    if (process.env.UPDATE_DOCS === '1' && current !== expected) {
      writeFileSync(readmePath, readme.replace(current, expected));
      return;
    }
    expect(current).toBe(expected);
  });
});
