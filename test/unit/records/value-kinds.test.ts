import { describe, expect, it } from 'vitest';
import { createValueIssues, fromText } from '../../../src/sync/records/value-kinds.js';
import type { ValueKind } from '../../../src/catalog/types.js';

function typed(kind: ValueKind, text: string) {
  const issues = createValueIssues();
  return { value: fromText(kind, text, issues), issues };
}

describe('fromText', () => {
  it('makes empty text null for every kind', () => {
    for (const kind of ['string', 'boolean', 'integer', 'number', 'date', 'datetime', 'time', 'object', 'any'] as const) {
      expect(fromText(kind, '', createValueIssues())).toBeNull();
    }
  });

  it.each([
    ['12', 12],
    ['-0.5', -0.5],
    ['100.50', 100.5],
    ['007', 7],
    ['1.0E7', 10_000_000],
    ['.25', 0.25],
    ['123456789012345678', '123456789012345678'],
    ['12345678901234567.89', '12345678901234567.89'],
    ['0.1000000000000000055511151231257827', '0.1000000000000000055511151231257827'],
    ['9007199254740992', 9007199254740992],
  ])('keeps number %s exact: %s', (text, expected) => {
    const { value, issues } = typed('number', text);
    expect(value).toBe(expected);
    expect(issues.inexactNumbers).toBe(typeof expected === 'string' ? 1 : 0);
  });

  it('keeps non-numbers and fractions in integer columns as counted strings', () => {
    for (const text of ['abc', '1,5', '0x10', 'Infinity', ' 1']) {
      const { value, issues } = typed('number', text);
      expect(value).toBe(text);
      expect(issues.unparseable).toBe(1);
    }
    expect(typed('integer', '42').value).toBe(42);
    expect(typed('integer', '1.5')).toEqual({ value: '1.5', issues: { unparseable: 1, inexactNumbers: 0 } });
  });

  it('reads booleans and counts anything else', () => {
    expect(typed('boolean', 'true').value).toBe(true);
    expect(typed('boolean', 'false').value).toBe(false);
    expect(typed('boolean', 'TRUE')).toEqual({ value: 'TRUE', issues: { unparseable: 1, inexactNumbers: 0 } });
  });

  it.each([
    ['2024-01-02T03:04:05.000Z', '2024-01-02T03:04:05.000Z'],
    ['2022-03-17T16:21:26.000+0000', '2022-03-17T16:21:26.000Z'],
    ['2022-03-17T16:21:26.123+05:30', '2022-03-17T10:51:26.123Z'],
    ['2022-03-17T23:21:26-0800', '2022-03-18T07:21:26.000Z'],
    ['2022-03-17T16:21:26.123456Z', '2022-03-17T16:21:26.123Z'],
    ['2022-03-17T16:21:26', '2022-03-17T16:21:26.000Z'],
    ['2000-01-01T00:30:00.000+01:00', '1999-12-31T23:30:00.000Z'],
  ])('normalizes datetime %s to %s', (text, expected) => {
    expect(typed('datetime', text)).toEqual({ value: expected, issues: { unparseable: 0, inexactNumbers: 0 } });
  });

  it('keeps datetimes, dates and times it cannot read as counted strings', () => {
    expect(typed('datetime', 'yesterday').issues.unparseable).toBe(1);
    expect(typed('datetime', '2024-13-02T03:04:05Z').issues.unparseable).toBe(1);
    expect(typed('datetime', '2023-02-29T03:04:05Z').issues.unparseable).toBe(1);
    expect(typed('datetime', '2024-02-29T03:04:05Z').value).toBe('2024-02-29T03:04:05.000Z');
    expect(typed('date', '2024-1-2')).toEqual({ value: '2024-1-2', issues: { unparseable: 1, inexactNumbers: 0 } });
    expect(typed('date', '2024-01-02').value).toBe('2024-01-02');
  });

  it('normalizes times to HH:MM:SS.sssZ', () => {
    expect(typed('time', '10:30:00.000Z').value).toBe('10:30:00.000Z');
    expect(typed('time', '10:30:00.5').value).toBe('10:30:00.500Z');
    expect(typed('time', '10:30').value).toBe('10:30:00.000Z');
    expect(typed('time', 'noon').issues.unparseable).toBe(1);
  });

  it('keeps text of string kinds unchanged', () => {
    expect(typed('string', ' a "b" \n').value).toBe(' a "b" \n');
    expect(typed('any', '12').value).toBe('12');
  });
});
