/**
 * Discovery against every object the emulator serves: each queryable object is a stream with the
 * right key, cursor and sync modes, and a schema whose properties match its describe field by
 * field; what cannot be queried is left out with a log line saying why. The expected JSON Schema
 * of each Salesforce type is written out here from Salesforce's type list, not taken from the tap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTapInProcess as runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
let airbyte: TapRun;
let singer: TapRun;

const NULLABLE_STRING = ['id', 'reference', 'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring', 'anyType', 'json', 'complexvalue', 'base64'];

function expectedSchema(field: { name: string; type: string }): Record<string, unknown> {
  if (field.type === 'id') return { type: 'string' };
  if (NULLABLE_STRING.includes(field.type)) return expect.objectContaining({ type: ['null', 'string'] });
  switch (field.type) {
    case 'boolean': return { type: ['null', 'boolean'] };
    case 'int': case 'long': return { type: ['null', 'integer'] };
    case 'double': case 'currency': case 'percent': return expect.objectContaining({ type: ['null', 'number'] });
    case 'date': return { type: ['null', 'string'], format: 'date' };
    case 'datetime': return expect.objectContaining({ type: ['null', 'string'], format: 'date-time' });
    case 'time': return expect.objectContaining({ type: ['null', 'string'], format: 'time' });
    case 'address': return expect.objectContaining({ type: ['null', 'object'], properties: expect.objectContaining({ street: expect.anything(), city: expect.anything(), postalCode: expect.anything(), latitude: { type: ['null', 'number'] } }) });
    case 'location': return expect.objectContaining({ type: ['null', 'object'], properties: { latitude: { type: ['null', 'number'] }, longitude: { type: ['null', 'number'] } } });
    default: throw new Error(`the test has no expectation for field type ${field.type} (${field.name})`);
  }
}

const CURSORS = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate', 'LoginTime'];

interface GlobalEntry { name: string; queryable: boolean; deprecatedAndHidden?: boolean }
interface DescribeField { name: string; type: string; calculated?: boolean }

function orgObjects(): { kept: GlobalEntry[]; skipped: GlobalEntry[] } {
  const all = emulator.org.describeGlobal().sobjects as unknown as GlobalEntry[];
  const skip = (o: GlobalEntry) => !o.queryable || o.deprecatedAndHidden === true || o.name.endsWith('ChangeEvent');
  return { kept: all.filter((o) => !skip(o)), skipped: all.filter(skip) };
}

const fieldsOf = (name: string) => (emulator.org.describe(name)!.fields as unknown as DescribeField[]);
const cursorOf = (name: string) => CURSORS.find((c) => fieldsOf(name).some((f) => f.name === c));

beforeAll(async () => {
  emulator = await startEmulator({ records: 50, seed: 3 });
  const files = { 'config.json': emulator.tapConfig('password') };
  [airbyte, singer] = await Promise.all([
    runTap(['discover', '--config', '{file:config.json}'], { files }),
    runTap(['--config', '{file:config.json}', '--discover'], { files }),
  ]);
});

afterAll(async () => {
  await emulator.close();
});

describe('discovery of every object the org serves', () => {
  it('lists each queryable object once, and logs each left-out one with its reason', () => {
    expect(airbyte.exitCode, airbyte.stderr).toBe(0);
    assertValidAirbyteLines(airbyte.stdout);
    const streams = (airbyte.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams.map((s) => s.name);
    const { kept, skipped } = orgObjects();
    expect(streams.sort()).toEqual(kept.map((o) => o.name).sort());
    expect(skipped.length).toBeGreaterThan(0);
    for (const object of skipped) expect(airbyte.stderr, object.name).toMatch(new RegExp(`Skipped \\d+ object\\(s\\): [^\\n]*${object.name}`));
  });

  it('gives each Airbyte stream its key, cursor and sync modes, and a property per describe field with its type', () => {
    const streams = (airbyte.ofType('CATALOG')[0]!.catalog as { streams: Record<string, unknown>[] }).streams;
    for (const stream of streams) {
      const name = stream.name as string;
      const fields = fieldsOf(name);
      const cursor = cursorOf(name);
      expect(stream.source_defined_primary_key, name).toEqual([['Id']]);
      if (cursor) {
        expect(stream.supported_sync_modes, name).toEqual(['full_refresh', 'incremental']);
        expect(stream.source_defined_cursor, name).toBe(true);
        expect(stream.default_cursor_field, name).toEqual([cursor]);
      } else {
        expect(stream.supported_sync_modes, name).toEqual(['full_refresh']);
      }
      const properties = (stream.json_schema as { properties: Record<string, unknown> }).properties;
      // Incremental streams of objects getDeleted serves carry tombstones, with their deletion time.
      const describe = emulator.org.describe(name)!;
      const tombstones = cursor !== undefined && describe.replicateable === true && describe.deletable === true;
      expect(Object.keys(properties).sort(), name).toEqual([...fields.map((f) => f.name), ...(tombstones ? ['_ab_cdc_deleted_at'] : [])].sort());
      if (tombstones) expect(properties._ab_cdc_deleted_at, name).toMatchObject({ type: ['null', 'string'], format: 'date-time' });
      for (const field of fields) expect(properties[field.name], `${name}.${field.name} (${field.type})`).toEqual(expectedSchema(field));
    }
  });

  it('gives each Singer stream breadcrumb metadata a plain Meltano run syncs incrementally from', () => {
    expect(singer.exitCode, singer.stderr).toBe(0);
    const catalog = JSON.parse(singer.stdout) as { streams: { tap_stream_id: string; schema: { properties: Record<string, unknown> }; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
    expect(catalog.streams.map((s) => s.tap_stream_id).sort()).toEqual(orgObjects().kept.map((o) => o.name).sort());
    for (const stream of catalog.streams) {
      const name = stream.tap_stream_id;
      const cursor = cursorOf(name);
      const top = stream.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
      expect(top['table-key-properties'], name).toEqual(['Id']);
      expect(top['valid-replication-keys'], name).toEqual(CURSORS.filter((c) => fieldsOf(name).some((f) => f.name === c)));
      expect(top['replication-method'], name).toBe(cursor ? 'INCREMENTAL' : 'FULL_TABLE');
      expect(top['replication-key'], name).toBe(cursor);
      expect(top['tap-salesforce.bulk-supported'], name).toBe(emulator.org.isBulkSupported(name));
      for (const field of fieldsOf(name)) {
        const entry = stream.metadata.find((m) => m.breadcrumb[1] === field.name);
        expect(entry, `${name}.${field.name}`).toBeDefined();
        expect(entry!.metadata.inclusion, `${name}.${field.name}`).toBe(field.name === 'Id' || field.name === cursor ? 'automatic' : 'available');
        expect(entry!.metadata['tap-salesforce.calculated'] === true, `${name}.${field.name} formula flag`).toBe(field.calculated === true);
        expect(stream.schema.properties[field.name], `${name}.${field.name}`).toEqual(expectedSchema(field));
      }
    }
  });
});

describe('discovery of a big org', () => {
  it('describes 1,000+ objects through Composite requests of 25, one API call each, with no process warning on stderr', async () => {
    const big = await startEmulator({ records: 5, seed: 4, extraObjects: 1000 });
    try {
      const run = await runTap(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': big.tapConfig('password') } });
      expect(run.exitCode, run.stderr).toBe(0);
      const streams = (JSON.parse(run.stdout) as { streams: { tap_stream_id: string }[] }).streams;
      expect(streams.length).toBe(big.org.describeGlobal().sobjects.length - 3);
      expect(streams.some((s) => s.tap_stream_id === 'Generated_1000__c')).toBe(true);
      // 25 describes per call: about 41 calls for the lot.
      expect(big.journal.count({ route: 'rest.composite' })).toBe(Math.ceil(streams.length / 25));
      expect(big.journal.count({ route: 'rest.describe' })).toBe(0);
      // Salesforce counts a Composite request as one API call: describeGlobal plus one per 25 objects.
      expect(big.journal.usage().apiCalls).toBe(1 + Math.ceil(streams.length / 25));
      expect(run.stderr).not.toMatch(/Warning|\(node:\d+\)/);
    } finally {
      await big.close();
    }
  });
});
