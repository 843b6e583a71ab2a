/**
 * Replies checked for shape where they enter the tap: a 200 whose JSON has `records: null`, or a
 * string where an array belongs (a proxy's rewrite, an API change), is refused with one error that
 * names the endpoint and the field, instead of a "Cannot read properties of null" deep inside.
 * Only the fields the tap reads are checked; anything else in the reply is left alone.
 */
import { TapError } from '../core/errors.js';
import { JsonRecords } from './http/json-records.js';

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';
/** Field → expected JSON type; a trailing `?` lets the field be absent or null. */
export type ReplyShape = Readonly<Record<string, JsonType | `${JsonType}?`>>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isType(value: unknown, type: JsonType): boolean {
  if (type === 'array') return Array.isArray(value) || value instanceof JsonRecords;
  if (type === 'object') return value !== null && typeof value === 'object' && !Array.isArray(value);
  return typeof value === type;
}

/** Throws TAP_REPLY_SHAPE unless `value` is an object whose fields have the shape's types. */
export function checkReplyShape(value: unknown, shape: ReplyShape, endpoint: string): void {
  const fail = (problem: string): never => {
    throw new TapError('TAP_REPLY_SHAPE', `${endpoint}: Salesforce answered with ${problem}; the reply is not what this endpoint sends (a proxy, or an API change?).`, { kind: 'salesforce' });
  };
  if (!isType(value, 'object')) fail(`${typeOf(value)} where an object belongs`);
  const record = value as Record<string, unknown>;
  for (const [field, spec] of Object.entries(shape)) {
    const optional = spec.endsWith('?');
    const type = (optional ? spec.slice(0, -1) : spec) as JsonType;
    const actual = record[field];
    if (optional && (actual === undefined || actual === null)) continue;
    if (!isType(actual, type)) fail(`\`${field}\` ${actual === undefined ? 'missing' : `being ${typeOf(actual)}`} where ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type} belongs`);
  }
}
