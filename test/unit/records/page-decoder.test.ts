import { describe, expect, it } from 'vitest';
import type { TapError } from '../../../src/core/errors.js';
import { createPageDecoder, type DecoderSpec } from '../../../src/sync/records/page-decoder.js';
import { createValueIssues } from '../../../src/sync/records/value-kinds.js';

const spec: DecoderSpec = {
  columns: [
    { name: 'Id', kind: 'string' },
    { name: 'Amount', kind: 'number' },
    { name: 'IsActive', kind: 'boolean' },
    { name: 'CreatedDate', kind: 'datetime' },
    { name: 'Owner.Name', kind: 'string' },
    { name: 'BillingStreet', kind: 'string' },
    { name: 'BillingCity', kind: 'string' },
    { name: 'BillingLatitude', kind: 'number' },
  ],
  output: [
    { name: 'Id', column: 0 },
    { name: 'Amount', column: 1 },
    { name: 'IsActive', column: 2 },
    { name: 'CreatedDate', column: 3 },
    { name: 'Owner.Name', column: 4 },
    { name: 'BillingAddress', compound: 'address', components: { street: 5, city: 6, latitude: 7 } },
  ],
  mode: 'objects',
};

const header = '"Id","Amount","IsActive","CreatedDate","Owner.Name","BillingStreet","BillingCity","BillingLatitude"\n';
const row1 = '"001A","12.5","true","2024-01-02T03:04:05.000Z","Dana ""D"" Ölz","1 Main St\nSuite 2","Zürich","47.37"\n';
const row2 = '"001B",,"false","2024-01-02T03:04:05.000Z","","",,""\n';
const record1 = {
  Id: '001A',
  Amount: 12.5,
  IsActive: true,
  CreatedDate: '2024-01-02T03:04:05.000Z',
  'Owner.Name': 'Dana "D" Ölz',
  BillingAddress: { street: '1 Main St\nSuite 2', city: 'Zürich', latitude: 47.37 },
};
const record2 = { Id: '001B', Amount: null, IsActive: false, CreatedDate: '2024-01-02T03:04:05.000Z', 'Owner.Name': null, BillingAddress: null };

function decodeAll(body: Buffer, chunkSize: number, mode: DecoderSpec['mode'] = 'objects', skip = 0) {
  const decoder = createPageDecoder({ ...spec, mode }, { skip });
  const objects: Record<string, unknown>[] = [];
  const json: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunkSize) {
    const batch = decoder.push(body.subarray(i, i + chunkSize));
    objects.push(...(batch.objects ?? []));
    if (batch.json) json.push(batch.json);
  }
  const last = decoder.end();
  objects.push(...(last.objects ?? []));
  if (last.json) json.push(last.json);
  return { objects, json: Buffer.concat(json).toString('utf8'), decoder };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as TapError).code;
  }
  return undefined;
}

describe('createPageDecoder', () => {
  it('types values, keeps dotted relationship names and rebuilds compounds, null when all components are null', () => {
    const { objects, decoder } = decodeAll(Buffer.from(header + row1 + row2), 1 << 16);
    expect(objects).toEqual([record1, record2]);
    expect(decoder.recordsDecoded).toBe(2);
    expect(decoder.rowsRead).toBe(2);
  });

  it('gives the same records whatever the chunk size, one byte at a time included', () => {
    const body = Buffer.from(header + row1 + row2 + row1);
    for (const size of [1, 2, 3, 7, 64]) {
      expect(decodeAll(body, size).objects).toEqual([record1, record2, record1]);
      expect(decodeAll(body, size, 'json').json).toBe([record1, record2, record1].map((r) => JSON.stringify(r) + '\n').join(''));
    }
  });

  it('reads CRLF line ends, a missing final line break, NUL bytes and a byte-order mark', () => {
    const crlf = (header + row1 + row2).replaceAll('\n"', '\r\n"').replace(/\n$/, '');
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf.replace('Zürich', 'Zü\u0000rich'))]);
    for (const size of [1, 5, 1000]) {
      const { objects } = decodeAll(body, size);
      expect(objects).toEqual([record1, record2]);
    }
  });

  it('reads other column delimiters', () => {
    for (const delimiter of ['\t', '|', ';', '^', '`']) {
      const body = Buffer.from((header + row1).replaceAll('","', `"${delimiter}"`));
      const decoder = createPageDecoder({ ...spec, delimiter });
      expect([...(decoder.push(body).objects ?? []), ...(decoder.end().objects ?? [])]).toEqual([record1]);
    }
  });

  it('skips the rows a re-fetched page already emitted without converting them', () => {
    const { objects, decoder } = decodeAll(Buffer.from(header + row1 + row2 + row1), 9, 'objects', 2);
    expect(objects).toEqual([record1]);
    expect(decoder.recordsDecoded).toBe(1);
    expect(decoder.rowsRead).toBe(3);
    const json = decodeAll(Buffer.from(header + row1 + row2 + row1), 9, 'json', 2);
    expect(json.json).toBe(JSON.stringify(record1) + '\n');
  });

  it('treats a header-only page and an empty body as pages without rows', () => {
    expect(decodeAll(Buffer.from(header), 4).objects).toEqual([]);
    expect(decodeAll(Buffer.alloc(0), 4).objects).toEqual([]);
  });

  it('throws TAP_CSV_TRUNCATED when the body stops inside a quoted value or a row', () => {
    const inQuotes = Buffer.from(header + row1 + '"001B","1');
    expect(codeOf(() => decodeAll(inQuotes, 10))).toBe('TAP_CSV_TRUNCATED');
    expect(codeOf(() => decodeAll(inQuotes, 10, 'json'))).toBe('TAP_CSV_TRUNCATED');
    const partialRow = Buffer.from(header + row1 + '"001B","1","true"');
    expect(codeOf(() => decodeAll(partialRow, 10))).toBe('TAP_CSV_TRUNCATED');
  });

  it('emits the complete records before the truncation is detected', () => {
    const decoder = createPageDecoder(spec);
    expect(decoder.push(Buffer.from(header + row1 + '"001B","1')).objects).toEqual([record1]);
    expect(codeOf(() => decoder.end())).toBe('TAP_CSV_TRUNCATED');
  });

  it('throws TAP_CSV_HEADER_MISMATCH when the header is not the selected columns', () => {
    const body = Buffer.from(header.replace('"Amount"', '"AnnualRevenue"') + row1);
    expect(codeOf(() => decodeAll(body, 100))).toBe('TAP_CSV_HEADER_MISMATCH');
    expect(codeOf(() => decodeAll(Buffer.from('"Id"\n"001A"\n'), 100))).toBe('TAP_CSV_HEADER_MISMATCH');
  });

  it('throws TAP_CSV_MALFORMED for a row with a wrong field count or text after a closing quote', () => {
    expect(codeOf(() => decodeAll(Buffer.from(header + '"001A","1"\n'), 100))).toBe('TAP_CSV_MALFORMED');
    expect(codeOf(() => decodeAll(Buffer.from(header + row1.replace('"12.5"', '"12.5"x')), 100))).toBe('TAP_CSV_MALFORMED');
  });

  it('keeps unparseable values as strings and counts them, in both modes alike', () => {
    const bad = '"001C","abc","yes","yesterday","x","","","1e400"\n';
    const issues = createValueIssues();
    const decoder = createPageDecoder(spec, { issues });
    const objects = decoder.push(Buffer.from(header + bad)).objects;
    expect(objects).toEqual([
      { Id: '001C', Amount: 'abc', IsActive: 'yes', CreatedDate: 'yesterday', 'Owner.Name': 'x', BillingAddress: { street: null, city: null, latitude: '1e400' } },
    ]);
    expect(issues).toEqual({ unparseable: 3, inexactNumbers: 1 });
    const jsonIssues = createValueIssues();
    const json = createPageDecoder({ ...spec, mode: 'json' }, { issues: jsonIssues }).push(Buffer.from(header + bad)).json;
    expect(json?.toString()).toBe(JSON.stringify(objects?.[0]) + '\n');
    expect(jsonIssues).toEqual(issues);
  });

  it('rejects a negative skip', () => {
    expect(() => createPageDecoder(spec, { skip: -1 })).toThrow(RangeError);
  });
});

describe('json mode output buffer', () => {
  it('grows the output for values that expand six-fold when escaped or converted', () => {
    const numbers = Array.from({ length: 250 }, (_, i) => ({ name: `N${i}`, kind: 'number' as const }));
    const columns = [...numbers, { name: 'Text', kind: 'string' as const }];
    const wide: DecoderSpec = { columns, output: columns.map((c, column) => ({ name: c.name, column })), mode: 'json' };
    const text = '\u0001'.repeat(20_000);
    const body = Buffer.from(`${columns.map((c) => `"${c.name}"`).join(',')}\n${numbers.map(() => '"1e300"').join(',')},"${text}"\n`);
    const json = createPageDecoder(wide).push(body).json?.toString();
    expect(JSON.parse(json ?? '')).toEqual({ ...Object.fromEntries(numbers.map((c) => [c.name, 1e300])), Text: text });
  });
});

describe('delimiter validation', () => {
  it('refuses a delimiter that is not one ASCII character other than a quote or line break', () => {
    for (const delimiter of ['"', '\n', ',,', '', 'é']) {
      expect(codeOf(() => createPageDecoder({ ...spec, delimiter }))).toBe('TAP_CSV_DELIMITER');
    }
  });
});
