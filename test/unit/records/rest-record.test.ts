import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPageDecoder, type DecoderSpec } from '../../../src/sync/records/page-decoder.js';
import { fromRestRecord } from '../../../src/sync/records/rest-record.js';
import { createValueIssues } from '../../../src/sync/records/value-kinds.js';

const spec: DecoderSpec = {
  columns: [
    { name: 'Id', kind: 'string' },
    { name: 'Name', kind: 'string' },
    { name: 'AnnualRevenue', kind: 'number' },
    { name: 'NumberOfEmployees', kind: 'integer' },
    { name: 'IsDeleted', kind: 'boolean' },
    { name: 'SystemModstamp', kind: 'datetime' },
    { name: 'LastActivityDate', kind: 'date' },
    { name: 'Owner.Name', kind: 'string' },
    { name: 'BillingStreet', kind: 'string' },
    { name: 'BillingCity', kind: 'string' },
    { name: 'BillingLatitude', kind: 'number' },
    { name: 'BillingLongitude', kind: 'number' },
  ],
  output: [
    { name: 'Id', column: 0 },
    { name: 'Name', column: 1 },
    { name: 'AnnualRevenue', column: 2 },
    { name: 'NumberOfEmployees', column: 3 },
    { name: 'IsDeleted', column: 4 },
    { name: 'SystemModstamp', column: 5 },
    { name: 'LastActivityDate', column: 6 },
    { name: 'Owner.Name', column: 7 },
    { name: 'BillingAddress', compound: 'address', components: { street: 8, city: 9, latitude: 10, longitude: 11 } },
  ],
  mode: 'objects',
};

interface Row {
  id: string;
  name: string | null;
  revenue: number | null;
  employees: number | null;
  deleted: boolean;
  modstamp: Date;
  activity: Date | null;
  owner: string | null | undefined;
  street: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

const nonEmpty = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', 'é', '中', '😀') });
const date = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
const row: fc.Arbitrary<Row> = fc.record({
  id: fc.stringMatching(/^001[A-Za-z0-9]{15}$/),
  name: fc.option(nonEmpty),
  revenue: fc.option(fc.oneof(fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 100), fc.double({ noNaN: true, noDefaultInfinity: true }))),
  employees: fc.option(fc.integer({ min: 0, max: 99_999_999 })),
  deleted: fc.boolean(),
  modstamp: date,
  activity: fc.option(date),
  // undefined: no parent (REST `"Owner": null`); null: a parent whose Name is null.
  owner: fc.option(fc.option(nonEmpty), { nil: undefined }),
  street: fc.option(nonEmpty),
  city: fc.option(nonEmpty),
  latitude: fc.option(fc.integer({ min: -90_000_000, max: 90_000_000 }).map((n) => n / 1e6)),
  longitude: fc.option(fc.integer({ min: -180_000_000, max: 180_000_000 }).map((n) => n / 1e6)),
});

/** How Bulk writes the row: every value quoted, nulls as `,,` or `,"",`, `Z` datetimes. */
function toBulkLine(r: Row, emptyQuoted: boolean): string {
  // Bulk may write trailing zeros (`12.50`); the value is the same.
  const number = (n: number | null) => (n === null ? null : emptyQuoted && /^-?\d+\.\d+$/.test(String(n)) ? `${String(n)}0` : String(n));
  const values = [
    r.id,
    r.name,
    number(r.revenue),
    r.employees === null ? null : String(r.employees),
    String(r.deleted),
    r.modstamp.toISOString(),
    r.activity === null ? null : r.activity.toISOString().slice(0, 10),
    r.owner ?? null,
    r.street,
    r.city,
    number(r.latitude),
    number(r.longitude),
  ];
  return values.map((v) => (v === null ? (emptyQuoted ? '""' : '') : `"${v.replaceAll('"', '""')}"`)).join(',');
}

/** How REST writes the row: typed JSON, `+0000` datetimes, nested parent objects. */
function toRestRecord(r: Row): Record<string, unknown> {
  const json = JSON.stringify({
    attributes: { type: 'Account', url: `/services/data/v65.0/sobjects/Account/${r.id}` },
    Id: r.id,
    Name: r.name,
    AnnualRevenue: r.revenue,
    NumberOfEmployees: r.employees,
    IsDeleted: r.deleted,
    SystemModstamp: r.modstamp.toISOString().replace('Z', '+0000'),
    LastActivityDate: r.activity === null ? null : r.activity.toISOString().slice(0, 10),
    Owner: r.owner === undefined ? null : { attributes: { type: 'User', url: '/services/data/v65.0/sobjects/User/005x' }, Name: r.owner },
    BillingStreet: r.street,
    BillingCity: r.city,
    BillingLatitude: r.latitude,
    BillingLongitude: r.longitude,
  });
  return JSON.parse(json) as Record<string, unknown>;
}

describe('fromRestRecord', () => {
  it('gives the record Bulk gives for the same row', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 10 }), fc.boolean(), (rows, emptyQuoted) => {
        const header = spec.columns.map((c) => `"${c.name}"`).join(',');
        const body = Buffer.from([header, ...rows.map((r) => toBulkLine(r, emptyQuoted))].join('\n') + '\n');
        const decoder = createPageDecoder(spec);
        const bulk = [...(decoder.push(body).objects ?? []), ...(decoder.end().objects ?? [])];
        const issues = createValueIssues();
        const rest = rows.map((r) => fromRestRecord(toRestRecord(r), spec, issues));
        expect(rest).toEqual(bulk);
        expect(issues).toEqual(decoder.issues);
        expect(issues).toEqual({ unparseable: 0, inexactNumbers: 0 });
        // Same keys in the same order: the JSON on the wire is identical too.
        expect(rest.map((r) => JSON.stringify(r))).toEqual(bulk.map((r) => JSON.stringify(r)));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a parent field null when the parent is null, and reads other datetime offsets', () => {
    const record = fromRestRecord(
      { attributes: { type: 'Account' }, Id: '001', Owner: null, SystemModstamp: '2024-03-01T01:00:00.000+0200', BillingLatitude: 1.5 },
      spec,
    );
    expect(record).toMatchObject({ Id: '001', 'Owner.Name': null, SystemModstamp: '2024-02-29T23:00:00.000Z', Name: null });
    expect(record['BillingAddress']).toEqual({ street: null, city: null, latitude: 1.5, longitude: null });
  });

  it('keeps an unexpected value as a counted string rather than dropping it', () => {
    const issues = createValueIssues();
    const record = fromRestRecord({ Id: '001', IsDeleted: 'maybe', NumberOfEmployees: 2.5 }, spec, issues);
    expect(record).toMatchObject({ IsDeleted: 'maybe', NumberOfEmployees: '2.5' });
    expect(issues.unparseable).toBe(2);
  });
});
