/**
 * The Singer conventions targets and Meltano rely on, run end to end against the emulator: the
 * catalog's schema governs what is sent (Meltano `schema:` extras), `stream_alias` names the
 * stream in messages, full-table streams send ACTIVATE_VERSION across runs, and the Python tap's
 * in-flight Bulk job keys in a state are reported instead of ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTapInProcess, type TapMessage, type TapRun } from '../helpers/run-tap.js';

interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  stream_alias?: string;
  schema: { properties: Record<string, Record<string, unknown>> };
  metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
}

let emulator: Emulator;
let config: Record<string, unknown>;
let discovered: { streams: CatalogEntry[] };

beforeAll(async () => {
  emulator = await startEmulator({ records: 6, seed: 19 });
  config = { ...emulator.tapConfig('password'), lookback_window: '0' };
  const run = await runTapInProcess(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': config } });
  expect(run.exitCode, run.stderr).toBe(0);
  discovered = JSON.parse(run.stdout) as typeof discovered;
});

afterAll(async () => {
  await emulator?.close();
});

/** A catalog selecting `names`, each entry passed through `edit` (Meltano's extras do this to tap.properties.json). */
function catalog(names: string[], edit: (entry: CatalogEntry) => void = () => {}): { streams: CatalogEntry[] } {
  const streams = structuredClone(discovered.streams.filter((s) => names.includes(s.tap_stream_id)));
  for (const entry of streams) {
    entry.metadata[0]!.metadata.selected = true;
    edit(entry);
  }
  return { streams };
}

function read(cat: unknown, options: { state?: unknown; config?: Record<string, unknown> } = {}): Promise<TapRun> {
  const args = ['--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(options.state === undefined ? [] : ['--state', '{file:state.json}'])];
  return runTapInProcess(args, { files: { 'config.json': { ...config, ...options.config }, 'catalog.json': cat, ...(options.state === undefined ? {} : { 'state.json': options.state }) } });
}

const ofStream = (run: TapRun, type: string, stream: string) => run.messages().filter((m) => m.type === type && m.stream === stream);
const errorLines = (run: TapRun) => run.stderr.split('\n').filter((l) => / ERROR /.test(l));

describe("the catalog's schema governs what is sent (Meltano schema: extras)", () => {
  const overridden = () =>
    catalog(['Account', 'Contact'], (entry) => {
      const p = entry.schema.properties;
      if (entry.tap_stream_id === 'Account') {
        p.NumberOfEmployees = { type: ['null', 'string'] }; // integer → string
        p.AnnualRevenue = { type: ['string', 'null'] }; // number → string
        p.CreatedDate = { type: ['null', 'string'] }; // date-time → string: the same text
        delete p.Description; // removed: not selected, whatever its metadata says
      } else {
        p.Birthdate = { type: ['null', 'string'], format: 'date-time' }; // date → date-time, as the Python tap sent dates
      }
    });

  it.each(['BULK', 'REST'])('changes the SCHEMA and the emitted JSON types, and drops removed properties (%s)', async (api) => {
    const run = await read(overridden(), { config: { api_type: api } });
    expect(run.exitCode, run.stderr).toBe(0);
    const schema = ofStream(run, 'SCHEMA', 'Account')[0]!.schema as { properties: Record<string, unknown> };
    expect(schema.properties.NumberOfEmployees).toEqual({ type: ['null', 'string'] });
    expect(schema.properties.CreatedDate).toEqual({ type: ['null', 'string'] });
    expect(schema.properties).not.toHaveProperty('Description');
    const accounts = run.records().get('Account')!;
    expect(accounts.length).toBeGreaterThan(0);
    for (const record of accounts) {
      const row = emulator.org.getRecord('Account', record.Id as string)!;
      expect(record).not.toHaveProperty('Description');
      expect(record.NumberOfEmployees).toBe(row.NumberOfEmployees === null ? null : String(row.NumberOfEmployees));
      expect(record.AnnualRevenue === null || typeof record.AnnualRevenue === 'string').toBe(true);
      expect(record.CreatedDate).toBe(row.CreatedDate);
    }
    const birthdates = run.records().get('Contact')!.map((r) => r.Birthdate).filter((b) => b !== null);
    expect(birthdates.length).toBeGreaterThan(0);
    for (const b of birthdates) expect(b).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
  });

  it('refuses a change the values cannot follow, naming the stream and the property', async () => {
    const run = await read(catalog(['Account'], (entry) => (entry.schema.properties.Name = { type: ['null', 'integer'] })));
    expect(run.exitCode).toBe(3);
    expect(run.messages()).toEqual([]);
    expect(errorLines(run)).toEqual([expect.stringMatching(/Account\.Name .*\[TAP_CATALOG_SCHEMA_UNSUPPORTED\]/)]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a property Salesforce does not have, saying a schema extra cannot add a field', async () => {
    const run = await read(catalog(['Account'], (entry) => (entry.schema.properties.Loyalty_Tier__c = { type: ['null', 'string'] })));
    expect(run.exitCode).toBe(3);
    expect(errorLines(run)).toEqual([expect.stringMatching(/Loyalty_Tier__c.*schema:.*\[TAP_CATALOG_UNKNOWN_FIELD\]/)]);
  });
});

describe('stream_alias', () => {
  it('names the stream in SCHEMA and RECORD messages; the state keeps the stream id and resumes', async () => {
    const aliased = catalog(['Account'], (entry) => (entry.stream_alias = 'sf_accounts'));
    const first = await read(aliased);
    expect(first.exitCode, first.stderr).toBe(0);
    const streams = new Set(first.messages().filter((m) => m.type !== 'STATE').map((m) => m.stream));
    expect(streams).toEqual(new Set(['sf_accounts']));
    expect(first.records().get('sf_accounts')!.length).toBe([...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: true }).rows()].length);
    const state = first.ofType('STATE').at(-1)!.value as { bookmarks: Record<string, unknown> };
    expect(Object.keys(state.bookmarks)).toEqual(['Account']);
    const second = await read(aliased, { state });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.records().get('sf_accounts') ?? []).toEqual([]);
  });
});

describe('ACTIVATE_VERSION for full-table streams', () => {
  const fullTable = () => catalog(['Contact'], (entry) => (entry.metadata[0]!.metadata['replication-method'] = 'FULL_TABLE'));
  const kinds = (run: TapRun) => run.messages().map((m: TapMessage) => (m.type === 'RECORD' ? 'RECORD' : m.type)).filter((t, i, all) => t !== 'RECORD' || all[i - 1] !== 'RECORD');

  it('activates the first version at once and each finished pass after it; records carry the version', async () => {
    const first = await read(fullTable());
    expect(first.exitCode, first.stderr).toBe(0);
    expect(kinds(first)).toEqual(['SCHEMA', 'ACTIVATE_VERSION', 'RECORD', 'ACTIVATE_VERSION', 'STATE']);
    const [opening, closing] = first.ofType('ACTIVATE_VERSION');
    expect(opening).toEqual(closing);
    const v1 = opening!.version as number;
    expect(first.ofType('RECORD').every((m) => m.version === v1)).toBe(true);

    const state = first.ofType('STATE').at(-1)!.value;
    const second = await read(fullTable(), { state });
    expect(kinds(second)).toEqual(['SCHEMA', 'RECORD', 'ACTIVATE_VERSION', 'STATE']);
    const v2 = second.ofType('ACTIVATE_VERSION')[0]!.version as number;
    expect(v2).toBeGreaterThan(v1);
    expect(second.ofType('RECORD').every((m) => m.version === v2)).toBe(true);
  });

  it('sends neither ACTIVATE_VERSION nor versions with activate_version off, nor for incremental streams', async () => {
    const off = await read(fullTable(), { config: { activate_version: false } });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.ofType('ACTIVATE_VERSION')).toEqual([]);
    expect(off.ofType('RECORD').some((m) => 'version' in m)).toBe(false);
    const incremental = await read(catalog(['Contact']));
    expect(incremental.ofType('ACTIVATE_VERSION')).toEqual([]);
    expect(incremental.ofType('RECORD').some((m) => 'version' in m)).toBe(false);
  });
});

describe("a state of the Python tap with a Bulk API 1.0 job in flight", () => {
  it('says once that the job is not resumed and reads from the bookmark', async () => {
    const state = {
      bookmarks: {
        Account: { JobID: '7505g00000AbCdEAAA', BatchIDs: ['7515g00000XyZaBAAA'], JobHighestBookmarkSeen: '2030-01-01T00:00:00.000000Z', SystemModstamp: '2000-01-01T00:00:00.000000Z' },
        Contact: { JobID: '7505g00000AbCdFAAA', BatchIDs: [], SystemModstamp: '2000-01-01T00:00:00.000000Z' },
      },
    };
    const run = await read(catalog(['Account', 'Contact']), { state });
    expect(run.exitCode, run.stderr).toBe(0);
    const warnings = run.stderr.split('\n').filter((l) => l.includes('JobID'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/WARN .*Account, Contact.*not resumed/);
    expect(run.records().get('Account')!.length).toBeGreaterThan(0);
  });
});
