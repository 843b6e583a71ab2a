/**
 * The README's troubleshooting table, generated from the error registry (src/core/error-codes.ts).
 * test/unit/core/error-codes.test.ts checks the README against it; `UPDATE_DOCS=1` rewrites it.
 */
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { ERROR_KINDS } from '../../src/core/errors.js';

export const TABLE_START = '<!-- error-codes:start (generated from src/core/error-codes.ts) -->';
export const TABLE_END = '<!-- error-codes:end -->';

export function buildErrorCodeTable(): string {
  const rows = ERROR_CODES.map((info) => `| \`${info.code}\` | ${ERROR_KINDS[info.kind].exitCode} | ${info.advice.replaceAll('|', '\\|')} [more](#${info.docs}) |`);
  return [TABLE_START, '', '| error code | exit | what to do |', '|---|---|---|', ...rows, '', TABLE_END].join('\n');
}
