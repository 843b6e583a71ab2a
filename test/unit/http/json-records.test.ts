/**
 * A reply's `records` kept as bytes and parsed one by one must give exactly what `JSON.parse` of
 * the whole reply gives, and a reply that stops short anywhere must be refused as JSON.parse would.
 */
import { describe, expect, it } from 'vitest';
import { JsonRecords, parseSplittingRecords } from '../../../src/salesforce/http/json-records.js';

const split = (text: string) => parseSplittingRecords(Buffer.from(text)) as Record<string, unknown>;
const records = (value: Record<string, unknown>) => [...(value.records as JsonRecords)];

const tricky = {
  totalSize: 3,
  done: false,
  nextRecordsUrl: '/services/data/v65.0/query/01g-2000',
  records: [
    { attributes: { type: 'Account', url: '/x/001' }, Id: '001', Name: 'quote " and \\ and } ] { [ ,', Owner: { Name: 'Dana' }, Amount: -1.5e3, Flag: true, Empty: null },
    { Id: '002', Name: 'Zoë 日本 \u2028 end\\', Nested: [[1, 2], { a: [] }], Number: 0 },
    { Id: '003', Name: '' },
  ],
};

describe('parseSplittingRecords', () => {
  it('gives the same values as JSON.parse, records included, whatever the spacing and key order', () => {
    for (const text of [JSON.stringify(tricky), JSON.stringify(tricky, null, 2), JSON.stringify({ records: tricky.records, totalSize: 3, done: false }), ` \n${JSON.stringify(tricky)}\r\n `]) {
      const value = split(text);
      const { records: expected, ...head } = JSON.parse(text) as typeof tricky;
      expect(value.records).toBeInstanceOf(JsonRecords);
      expect(records(value)).toEqual(expected);
      expect((value.records as JsonRecords).length).toBe(3);
      expect((value.records as JsonRecords).at(1)).toEqual(expected[1]);
      expect((value.records as JsonRecords).at(3)).toBeUndefined();
      const { records: _ignored, ...rest } = value;
      expect(rest).toEqual(head);
      expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(text));
    }
  });

  it('handles an empty records array, a reply without records, and replies that are not objects', () => {
    expect(records(split('{"totalSize":0,"done":true,"records":[]}'))).toEqual([]);
    expect(split('{}')).toEqual({});
    expect(split('{"records":null,"done":true}')).toEqual({ records: null, done: true });
    expect(parseSplittingRecords(Buffer.from('[{"a":1}]'))).toEqual([{ a: 1 }]);
  });

  it('refuses a reply cut at any byte, and trailing or misplaced bytes', () => {
    const text = JSON.stringify(tricky);
    for (let cut = 0; cut < text.length; cut += 1) expect(() => parseSplittingRecords(Buffer.from(text.slice(0, cut))), `cut at ${cut}`).toThrow(SyntaxError);
    expect(() => split(`${text} x`)).toThrow(SyntaxError);
    expect(() => split('{"records":[{"a":1} {"b":2}]}')).toThrow(SyntaxError);
    expect(() => split('{"a" 1}')).toThrow(SyntaxError);
  });
});
