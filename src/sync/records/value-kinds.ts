/**
 * Salesforce text → typed JSON value, one set of rules for Bulk CSV fields and REST JSON values,
 * so the same row gives the same record whichever API served it.
 *
 * - Empty text and null are null for every kind: Salesforce stores no empty strings, and Bulk
 *   writes a null either as `,,` or as `,"",`.
 * - boolean: `true` / `false`.
 * - integer, number: a JSON number, but only when the double holds exactly the value Salesforce
 *   sent (`1.0E7`, `100.50` and `007` qualify; `12345678901234567.89` does not). Text a double
 *   cannot hold exactly stays the original string and is counted in `ValueIssues.inexactNumbers`:
 *   a changed amount would be silent data loss, a string is visible. An integer column holding a
 *   fraction is unparseable.
 * - datetime: RFC 3339 UTC with milliseconds, `YYYY-MM-DDTHH:MM:SS.sssZ`. Bulk sends that form
 *   already; REST sends `+0000`; any other offset is converted to UTC. Digits past milliseconds
 *   are truncated; a datetime without offset is read as UTC.
 * - date `YYYY-MM-DD`; time `HH:MM:SS.sssZ` (missing milliseconds or `Z` are added).
 * - string, any, object: the text unchanged.
 * - Text that does not parse as its kind stays the original string and is counted in
 *   `ValueIssues.unparseable`: never dropped, never a crash.
 */
import type { ValueKind } from '../../catalog/types.js';

/** Values kept as strings because they did not fit their kind; shared by a stream's decoders. */
export interface ValueIssues {
  /** Text that is not a value of its column's kind (`yes` in a boolean column). */
  unparseable: number;
  /** Numbers a double cannot hold exactly, kept as their original text. */
  inexactNumbers: number;
}

export function createValueIssues(): ValueIssues {
  return { unparseable: 0, inexactNumbers: 0 };
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Plain decimals of at most 15 characters have at most 15 significant digits: always exact. */
const SHORT_PLAIN = /^-?\d+(?:\.\d+)?$/;
const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATETIME =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?Z?$/;
const CANONICAL_TIME = /^\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Sign, significant digits without leading/trailing zeros, and the power of ten of the last one. */
function decimalParts(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const fraction = match[3] ?? '';
  let digits = (match[2] ?? '') + fraction;
  let exponent = Number(match[4] ?? '0') - fraction.length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  return `${match[1] === '-' ? '-' : ''}${trimmed}e${exponent}`;
}

/** Whether the double `value` is exactly the decimal written as `text` (same value, any notation). */
function holdsExactly(value: number, text: string): boolean {
  if (!Number.isFinite(value)) return false;
  const shortest = String(value);
  if (shortest === text) return true;
  return decimalParts(shortest) === decimalParts(text);
}

export function toNumberValue(text: string, issues: ValueIssues): number | string | null {
  if (text === '') return null;
  if (text.length <= 15 && SHORT_PLAIN.test(text)) return +text;
  if (!DECIMAL.test(text)) {
    issues.unparseable++;
    return text;
  }
  const value = Number(text);
  if (holdsExactly(value, text)) return value;
  issues.inexactNumbers++;
  return text;
}

export function toIntegerValue(text: string, issues: ValueIssues): number | string | null {
  if (text === '') return null;
  const value = toNumberValue(text, issues);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    issues.unparseable++;
    return text;
  }
  return value;
}

export function toBooleanValue(text: string, issues: ValueIssues): boolean | string | null {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === '') return null;
  issues.unparseable++;
  return text;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function toDatetimeValue(text: string, issues: ValueIssues): string | null {
  if (text === '') return null;
  if (CANONICAL_DATETIME.test(text)) return text;
  const m = DATETIME.exec(text);
  if (m) {
    const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
    let offsetMinutes = 0;
    const zone = m[8];
    if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
      const digits = zone.slice(1).replace(':', '');
      offsetMinutes = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * (zone[0] === '-' ? -1 : 1);
    }
    const month = Number(m[2]);
    const day = Number(m[3]);
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = Number(m[6] ?? '0');
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 24 && minute <= 59 && second <= 60) {
      const date = new Date(0);
      date.setUTCFullYear(Number(m[1]), month - 1, day);
      // 2024-02-30 would roll over into March: not a date.
      const realDay = date.getUTCDate() === day;
      date.setUTCHours(hour, minute - offsetMinutes, second, millis);
      const time = date.getTime();
      if (realDay && Number.isFinite(time)) {
        const year = date.getUTCFullYear();
        if (year >= 0 && year <= 9999) {
          return (
            `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
            `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
            `.${pad(date.getUTCMilliseconds(), 3)}Z`
          );
        }
      }
    }
  }
  issues.unparseable++;
  return text;
}

export function toDateValue(text: string, issues: ValueIssues): string | null {
  if (text === '') return null;
  if (DATE.test(text)) return text;
  issues.unparseable++;
  return text;
}

export function toTimeValue(text: string, issues: ValueIssues): string | null {
  if (text === '') return null;
  if (CANONICAL_TIME.test(text)) return text;
  const m = TIME.exec(text);
  if (m) return `${m[1]}:${m[2]}:${m[3] ?? '00'}.${((m[4] ?? '') + '000').slice(0, 3)}Z`;
  issues.unparseable++;
  return text;
}

/** Bulk CSV text (already unquoted and UTF-8 decoded) → the typed value of `kind`. */
export function fromText(kind: ValueKind, text: string, issues: ValueIssues): unknown {
  switch (kind) {
    case 'boolean':
      return toBooleanValue(text, issues);
    case 'integer':
      return toIntegerValue(text, issues);
    case 'number':
      return toNumberValue(text, issues);
    case 'datetime':
      return toDatetimeValue(text, issues);
    case 'date':
      return toDateValue(text, issues);
    case 'time':
      return toTimeValue(text, issues);
    default:
      return text === '' ? null : text;
  }
}
