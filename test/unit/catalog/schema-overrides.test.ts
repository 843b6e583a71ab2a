import { describe, expect, it } from 'vitest';
import { resolveOverride } from '../../../src/catalog/schema-overrides.js';
import type { FieldDefinition, ValueKind } from '../../../src/catalog/types.js';
import { castValue } from '../../../src/protocol/record-casts.js';

function field(valueKind: ValueKind, schema: FieldDefinition['schema'], sfType = valueKind as string): FieldDefinition {
  return { name: 'F', sfType, valueKind, schema, nullable: true, calculated: false, bulkSelectable: true };
}

const number = field('number', { type: ['null', 'number'] }, 'double');
const integer = field('integer', { type: ['null', 'integer'] }, 'int');
const date = field('date', { type: ['null', 'string'], format: 'date' });
const text = field('string', { type: ['null', 'string'] });
const address = field('object', { type: ['null', 'object'], properties: {} }, 'address');

describe('resolveOverride', () => {
  it('changes nothing when the catalog keeps the discovered schema', () => {
    expect(resolveOverride('S', number, { type: ['null', 'number'] })).toBeUndefined();
  });

  it.each([
    [number, { type: ['string', 'null'] }, 'to-string'],
    [integer, { type: 'string' }, 'to-string'],
    [field('boolean', { type: ['null', 'boolean'] }), { type: ['null', 'string'] }, 'to-string'],
    [integer, { type: ['null', 'number'] }, 'none'],
    [date, { type: ['null', 'string'], format: 'date-time' }, 'date-to-datetime'],
    [field('datetime', { type: ['null', 'string'], format: 'date-time' }), { type: ['null', 'string'] }, 'none'],
    [text, {}, 'none'],
  ])('honours %j → %j with the cast %s', (f, requested, cast) => {
    expect(resolveOverride('S', f, requested)).toEqual({ schema: requested, cast });
  });

  it.each([
    [text, { type: ['null', 'number'] }],
    [number, { type: ['null', 'integer'] }],
    [address, { type: ['null', 'string'] }],
    [text, 'string'],
  ])('refuses %j → %j with one error naming the stream and property', (f, requested) => {
    expect(() => resolveOverride('Account', f, requested)).toThrow(expect.objectContaining({ code: 'TAP_CATALOG_SCHEMA_UNSUPPORTED', message: expect.stringContaining('Account.F') }));
  });
});

describe('castValue', () => {
  it('writes numbers and booleans as text, dates at midnight UTC, and keeps nulls', () => {
    expect(castValue(12.5, 'to-string')).toBe('12.5');
    expect(castValue(false, 'to-string')).toBe('false');
    expect(castValue(null, 'to-string')).toBeNull();
    expect(castValue('2024-02-29', 'date-to-datetime')).toBe('2024-02-29T00:00:00.000Z');
  });
});
