/**
 * Property tests: the Bulk page decoder against csv-parse as the oracle, and the JSON fast path
 * against `JSON.stringify` of the object path, on random rows split at random chunk boundaries.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValueKind } from '../../../src/catalog/types.js';
import { createPageDecoder, type DecoderSpec } from '../../../src/sync/records/page-decoder.js';
import { createValueIssues } from '../../../src/sync/records/value-kinds.js';

const DELIMITERS = [',', '\t', '|', ';', '^', '`'];

/** Characters that stress a CSV parser and a JSON encoder. */
const tricky = fc.constantFrom(
  ',', '"', '""', '\n', '\r', '\r\n', '\u0000', '\t', '|', ';', '^', '`', '\\', '\u0001', '\u001f', '\u007f',
  'é', 'Ö', 'ß', '中文', '日本', '😀', '👩‍💻', '\u2028', ' ', 'a', 'Z', '0', '9', '.', '-', 'null',
);
const text = fc.array(fc.oneof({ weight: 3, arbitrary: tricky }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 8 }).map((parts) => parts.join(''));

interface Cell {
  value: string;
  /** How an empty value is written: `,,` or `,"",`. */
  quotedEmpty: boolean;
  /** Write a plain ASCII value without quotes. */
  unquoted: boolean;
}

const cell = fc.record({
  value: fc.oneof(text, fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]{1,6}$/)),
  quotedEmpty: fc.boolean(),
  unquoted: fc.boolean(),
});

function encodeCell(c: Cell, delimiter: string): string {
  if (c.value === '') return c.quotedEmpty ? '""' : '';
  if (c.unquoted && /^[A-Za-z0-9]+$/.test(c.value) && !c.value.includes(delimiter)) return c.value;
  return `"${c.value.replaceAll('"', '""')}"`;
}

/** Cut points anywhere in the body, inside UTF-8 sequences and `""` escapes included. */
function splitAt(body: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of points) {
    chunks.push(body.subarray(previous, point));
    previous = point;
  }
  chunks.push(body.subarray(previous));
  return chunks;
}

/** Byte for byte: decoding to text first would turn invalid UTF-8 into U+FFFD on both sides. */
function expectBytes(actual: Buffer, text: string): void {
  expect(actual.toString('latin1')).toBe(Buffer.from(text).toString('latin1'));
}

function decode(spec: DecoderSpec, chunks: Buffer[]) {
  const issues = createValueIssues();
  const decoder = createPageDecoder(spec, { issues });
  const objects: Record<string, unknown>[] = [];
  const json: Buffer[] = [];
  for (const chunk of [...chunks, null]) {
    const batch = chunk === null ? decoder.end() : decoder.push(chunk);
    if (batch.objects) objects.push(...batch.objects);
    if (batch.json) json.push(batch.json);
    expect(batch.count).toBe(batch.objects ? batch.objects.length : (batch.json?.toString().match(/\n/g) ?? []).length);
  }
  return { objects, json: Buffer.concat(json), issues, decoder };
}

const table = fc.integer({ min: 1, max: 5 }).chain((columns) =>
  fc.record({
    columns: fc.constant(columns),
    rows: fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { maxLength: 8 }),
    delimiter: fc.constantFrom(...DELIMITERS),
    crlf: fc.boolean(),
    finalLineBreak: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
  }),
);

describe('Bulk page decoder against csv-parse', () => {
  it('gives every record the oracle gives, for any chunking', () => {
    fc.assert(
      fc.property(table, ({ columns, rows, delimiter, crlf, finalLineBreak, cuts }) => {
        const names = Array.from({ length: columns }, (_, i) => `Field${i}__c`);
        // A one-column row written `,,`-style would be an empty line, which Bulk never writes.
        const cells = columns === 1 ? rows.map((row) => row.map((c) => ({ ...c, quotedEmpty: true }))) : rows;
        const lineBreak = crlf ? '\r\n' : '\n';
        const lines = [names.map((n) => `"${n}"`), ...cells.map((row) => row.map((c) => encodeCell(c, delimiter)))].map((l) => l.join(delimiter));
        const body = Buffer.from(lines.join(lineBreak) + (finalLineBreak ? lineBreak : ''));

        const oracle = parse(body.toString('utf8').replaceAll('\u0000', ''), { delimiter, record_delimiter: lineBreak, relax_quotes: false }) as string[][];
        const expected = oracle.slice(1).map((row) => Object.fromEntries(row.map((value, i) => [names[i], value === '' ? null : value])));

        const spec: DecoderSpec = {
          columns: names.map((name) => ({ name, kind: 'string' as const })),
          output: names.map((name, column) => ({ name, column })),
          mode: 'objects',
          delimiter,
        };
        const chunks = splitAt(body, cuts);
        const objects = decode(spec, chunks);
        expect(objects.objects).toEqual(expected);
        expect(objects.decoder.recordsDecoded).toBe(rows.length);
        const json = decode({ ...spec, mode: 'json' }, chunks);
        expectBytes(json.json, objects.objects.map((o) => JSON.stringify(o) + '\n').join(''));
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same records from chunks far longer than a record, records straddling them, some values longer than 16 KiB', () => {
    const long = fc.tuple(text, fc.integer({ min: 1, max: 8000 })).map(([t, n]) => (t || 'x').repeat(n).slice(0, 40_000));
    const value = fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: long });
    const rows = fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(rows, fc.array(fc.nat(), { maxLength: 8 }), (values, cuts) => {
        const names = ['A__c', 'B__c', 'C__c'];
        const lines = [names, ...values].map((row) => row.map((v) => (v === '' ? '' : `"${v.replaceAll('"', '""')}"`)).join(','));
        const body = Buffer.from(lines.join('\n') + '\n');
        const oracle = parse(body.toString('utf8').replaceAll('\u0000', ''), { record_delimiter: '\n' }) as string[][];
        const expected = oracle.slice(1).map((row) => Object.fromEntries(row.map((v, i) => [names[i], v === '' ? null : v])));
        const spec: DecoderSpec = { columns: names.map((name) => ({ name, kind: 'string' as const })), output: names.map((name, column) => ({ name, column })), mode: 'objects' };
        // Cuts at least 20 KiB apart, so every chunk but the last is longer than the join window.
        const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b).filter((p, i, all) => i === 0 || p - all[i - 1]! >= 20_000);
        const chunks = splitAt(body, points);
        const objects = decode(spec, chunks);
        expect(objects.objects).toEqual(expected);
        const json = decode({ ...spec, mode: 'json' }, chunks);
        expectBytes(json.json, expected.map((o) => JSON.stringify(o) + '\n').join(''));
      }),
      { numRuns: 60 },
    );
  });
});

/** Text for a typed column: canonical forms, other forms of valid values, and garbage. */
const typedText: Record<string, fc.Arbitrary<string>> = {
  number: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.integer().map((n) => (n / 100).toFixed(2)),
    fc.constantFrom('0', '-0', '0.0', '1.0E7', '.5', '007', '0.0000001', '0.000001', '1e400', '12345678901234567.89', '123456789012345', '1234567890123456', 'abc', '1,5', '+1', '-'),
  ),
  integer: fc.oneof(fc.integer().map(String), fc.constantFrom('0', '-0', '1.5', '9007199254740993', '1e3', 'x')),
  boolean: fc.constantFrom('true', 'false', 'TRUE', 'yes', 'fals', 'truex'),
  datetime: fc.oneof(
    fc.date({ min: new Date('1700-01-01'), max: new Date('4000-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.date({ min: new Date('1700-01-01'), max: new Date('4000-12-31'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+0000')),
    fc.constantFrom('2024-01-02T03:04:05+05:30', '2024-01-02T03:04:05.1234Z', '2024-01-02', 'soon', '2024-01-02T03:04:05.000Zx'),
  ),
  date: fc.constantFrom('2024-01-02', '1999-12-31', '2024-1-2', 'x', '2024-01-02T00:00:00Z'),
  time: fc.constantFrom('10:30:00.000Z', '10:30:00', '10:30', '25:00:00.000X', 'noon'),
  string: text,
};

describe('JSON fast path', () => {
  it('writes byte for byte JSON.stringify of the object path and counts the same issues', () => {
    const kinds = fc.array(fc.constantFrom<ValueKind>('number', 'integer', 'boolean', 'datetime', 'date', 'time', 'string'), { minLength: 1, maxLength: 6 });
    const input = kinds.chain((columnKinds) =>
      fc.record({
        columnKinds: fc.constant(columnKinds),
        rows: fc.array(fc.tuple(...columnKinds.map((kind) => fc.option(typedText[kind] as fc.Arbitrary<string>, { nil: '' }))), { maxLength: 8 }),
        compound: fc.boolean(),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(input, ({ columnKinds, rows, compound, cuts }) => {
        const names = columnKinds.map((_, i) => `F${i}`);
        const output: DecoderSpec['output'] = names.map((name, column) => ({ name, column }));
        // Also rebuild a compound from the last columns, as address/location fields are.
        if (compound) output.push({ name: 'Place', compound: 'location', components: Object.fromEntries(names.map((n, i) => [n.toLowerCase(), i])) });
        const spec: DecoderSpec = { columns: names.map((name, i) => ({ name, kind: columnKinds[i] as ValueKind })), output, mode: 'objects' };
        const lines = [names.map((n) => `"${n}"`).join(','), ...rows.map((row) => row.map((v) => (v === '' ? '' : `"${v.replaceAll('"', '""')}"`)).join(','))];
        const chunks = splitAt(Buffer.from(lines.join('\n') + '\n'), cuts);
        const objects = decode(spec, chunks);
        const json = decode({ ...spec, mode: 'json' }, chunks);
        expectBytes(json.json, objects.objects.map((o) => JSON.stringify(o) + '\n').join(''));
        expect(json.issues).toEqual(objects.issues);
        // Inside a protocol envelope: the same records, each in its message.
        const envelope = { prefix: '{"type":"RECORD","stream":"S","record":', suffix: () => ',"time_extracted":"2026-01-02T03:04:05.000Z"}' };
        const framed = decode({ ...spec, mode: 'json', envelope }, chunks);
        expectBytes(framed.json, objects.objects.map((o) => `${envelope.prefix}${JSON.stringify(o)}${envelope.suffix()}\n`).join(''));
      }),
      { numRuns: 400 },
    );
  });

  it('passes invalid UTF-8 through the same replacement characters as the object path', () => {
    const spec: DecoderSpec = {
      columns: [{ name: 'A', kind: 'string' }, { name: 'B', kind: 'string' }],
      output: [{ name: 'A', column: 0 }, { name: 'B', column: 1 }],
      mode: 'objects',
    };
    const invalid = Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    // Valid accents before and after the invalid value, in the same chunk and in records of their own.
    const body = Buffer.concat([Buffer.from('"A","B"\n"Île","é"\n"x'), invalid, Buffer.from('y","ü"\n"Zoë","x'), invalid, Buffer.from('"\n"à","ö"\n')]);
    const objects = decode(spec, [body]);
    expect(objects.objects).toHaveLength(4);
    for (const chunks of [[body], splitAt(body, [20, 41])]) {
      const json = decode({ ...spec, mode: 'json' }, chunks);
      expectBytes(json.json, objects.objects.map((o) => JSON.stringify(o) + '\n').join(''));
    }
  });
});
