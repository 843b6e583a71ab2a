/**
 * A full sync of every object the org serves equals the org's data: every Id, and every value
 * of every field, typed as the schema says (numbers as numbers, booleans as booleans, date-times
 * in RFC 3339 UTC, compound fields rebuilt as objects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
let run: TapRun;
let schemas: Map<string, Record<string, { type?: string | string[]; format?: string }>>;

beforeAll(async () => {
  emulator = await startEmulator({ records: 60, seed: 37 });
  emulator.settings.bulkJobDelayMs = 0;
  run = await runTap(['--config', '{file:config.json}'], { files: { 'config.json': { ...emulator.tapConfig('password'), max_records: 1000 } } });
  schemas = new Map(run.ofType('SCHEMA').map((m) => [m.stream as string, (m.schema as { properties: Record<string, { type?: string | string[] }> }).properties]));
});
afterAll(async () => {
  await emulator.close();
});

function componentsOf(stream: string, field: string): string[] {
  return (emulator.org.describe(stream)!.fields as { name: string; compoundFieldName: string | null }[]).filter((f) => f.compoundFieldName === field).map((f) => f.name);
}

/** The org's value as the tap must emit it. */
function expected(value: unknown, schema: { type?: string | string[]; format?: string }): unknown {
  if (value === null || value === undefined) return null;
  if (schema.format === 'date-time' && typeof value === 'string') return new Date(value).toISOString();
  return value;
}

describe('a full sync of every object', () => {
  it('emits every row of every stream the catalog has', () => {
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const names = (emulator.org.describeGlobal().sobjects as { name: string; queryable: boolean; deprecatedAndHidden?: boolean }[])
      .filter((o) => o.queryable && !o.deprecatedAndHidden && !o.name.endsWith('ChangeEvent'))
      .map((o) => o.name);
    expect([...schemas.keys()].sort()).toEqual([...names].sort());
    for (const name of names) {
      const ids = (run.records().get(name) ?? []).map((r) => r.Id as string);
      const org = [...emulator.org.prepareQuery(`SELECT Id FROM ${name}`, { includeDeleted: true }).rows()].map((r) => r.id);
      expect(ids.length, `${name} duplicates`).toBe(new Set(ids).size);
      expect(new Set(ids), name).toEqual(new Set(org));
    }
  });

  it('gives every field of every record the org row\'s value, typed', () => {
    let compared = 0;
    for (const [stream, records] of run.records()) {
      const properties = schemas.get(stream)!;
      for (const record of records) {
        const row = emulator.org.getRecord(stream, record.Id as string);
        expect(row, `${stream} ${String(record.Id)}`).toBeDefined();
        for (const [field, schema] of Object.entries(properties)) {
          // The tombstone column is the protocol's own: set on tombstones only, never an org field.
          if (field === '_sdc_deleted_at') continue;
          const got = record[field];
          const components = componentsOf(stream, field);
          if (components.length > 0) {
            // A compound is rebuilt from its components: BillingStreet → street, Site__Latitude__s → latitude.
            const base = field.replace(/__c$/, '').replace(/Address$/, '');
            const object = Object.fromEntries(components.map((c) => {
              const key = c.replace(base, '').replace(/^_+/, '').replace(/__s$/, '');
              return [key.charAt(0).toLowerCase() + key.slice(1), row![c] ?? null];
            }));
            const empty = Object.values(object).every((v) => v === null);
            expect(got, `${stream}.${field} of ${String(record.Id)}`).toEqual(empty && got === null ? null : object);
            compared++;
            continue;
          }
          if (schema.format === 'uri-reference') {
            // Blobs: queries give the URL of the content, never the content.
            expect(got, `${stream}.${field}`).toBe(row![field] === null ? null : `/services/data/v65.0/sobjects/${stream}/${String(record.Id)}/${field}`);
          } else {
            expect(got, `${stream}.${field} of ${String(record.Id)}`).toEqual(expected(row![field], schema));
          }
          compared++;
        }
      }
    }
    console.log(`full sync: ${compared} values compared`);
    expect(compared).toBeGreaterThan(10_000);
  });
});
