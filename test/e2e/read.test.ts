import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { expectNoSecrets, runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
let config: Record<string, unknown>;
let secretValues: string[];

beforeAll(async () => {
  emulator = await startEmulator({ records: 600, seed: 11 });
  // Calendar windows: the resume checks need several STATEs per stream.
  config = { ...emulator.tapConfig('password'), planner: 'sequential', lookback_window: '0' };
  const c = emulator.credentials as unknown as Record<string, string>;
  secretValues = [c.password!, c.securityToken!, c.clientSecret!].filter(Boolean);
});

afterAll(async () => {
  await emulator.close();
});

interface AirbyteStream {
  name: string;
  supported_sync_modes: string[];
  json_schema: { properties: Record<string, unknown> };
}

async function airbyteCatalog(names: string[], mode: 'incremental' | 'full_refresh' = 'incremental'): Promise<unknown> {
  const run = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
  expect(run.exitCode).toBe(0);
  const catalog = run.ofType('CATALOG')[0]!.catalog as { streams: AirbyteStream[] };
  return {
    streams: names.map((name) => {
      const stream = catalog.streams.find((s) => s.name === name);
      if (!stream) throw new Error(`no stream ${name}`);
      return { stream, sync_mode: stream.supported_sync_modes.includes(mode) ? mode : 'full_refresh', destination_sync_mode: 'append' };
    }),
  };
}

/** Every row of an object as the org holds it, deleted ones included (the tap reads queryAll). */
function orgIds(sobject: string): Set<string> {
  const query = emulator.org.prepareQuery(`SELECT Id FROM ${sobject}`, { includeDeleted: true });
  return new Set([...query.rows()].map((r) => r.id));
}

function ids(run: TapRun, stream: string): string[] {
  return (run.records().get(stream) ?? []).map((r) => r.Id as string);
}

const STREAMS = ['Account', 'Contact', 'AcceptedEventRelation', 'Invoice__c', 'LoginHistory', 'Wide_Object__c'];

describe('read (Airbyte)', () => {
  let catalog: unknown;
  let full: TapRun;

  beforeAll(async () => {
    catalog = await airbyteCatalog(STREAMS);
    full = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': catalog } });
  });

  it('syncs every row of every selected object exactly once, through Bulk and REST alike', () => {
    expect(full.exitCode, full.stderr).toBe(0);
    for (const stream of STREAMS) {
      const got = ids(full, stream);
      expect(new Set(got).size, `${stream} has duplicates`).toBe(got.length);
      expect(new Set(got), stream).toEqual(orgIds(stream));
    }
  });

  it('emits records whose values equal the org row, typed', () => {
    const account = full.records().get('Account')!.find((r) => r.BillingCity !== null)!;
    const row = emulator.org.getRecord('Account', account.Id as string)!;
    expect(account.Name).toBe(row.Name);
    expect(account.SystemModstamp).toBe(row.SystemModstamp);
    expect(account.NumberOfEmployees).toBe(row.NumberOfEmployees);
    expect(account.Active__c).toBe(row.Active__c);
    expect(account.BillingAddress).toEqual(expect.objectContaining({ city: row.BillingCity, street: row.BillingStreet }));
    const wide = full.records().get('Wide_Object__c')![0]!;
    expect(Object.keys(wide).length).toBeGreaterThan(800);
  });

  it('writes only valid Airbyte messages, statuses in order and exact record counts', () => {
    assertValidAirbyteLines(full.stdout);
    const messages = full.messages();
    for (const stream of STREAMS) {
      const statuses = messages
        .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
        .map((m) => (m.trace as { stream_status: { stream_descriptor: { name: string }; status: string } }).stream_status)
        .filter((s) => s.stream_descriptor.name === stream)
        .map((s) => s.status);
      expect(statuses[0]).toBe('STARTED');
      expect(statuses.at(-1)).toBe('COMPLETE');
      const counted = messages
        .filter((m) => m.type === 'STATE' && (m.state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === stream)
        .reduce((sum, m) => sum + (m.state as { sourceStats: { recordCount: number } }).sourceStats.recordCount, 0);
      expect(counted, stream).toBe(ids(full, stream).length);
      // The job log (stderr) says how many records each stream sent.
      expect(full.stderr).toContain(`${stream}: complete (${ids(full, stream).length} records)`);
    }
    expectNoSecrets(full, secretValues);
  });

  it('estimates each stream up front: one ESTIMATE per stream, before its records, equal to the rows it sends', () => {
    const messages = full.messages();
    for (const stream of STREAMS) {
      const estimates = messages.filter((m) => m.type === 'TRACE' && (m.trace as { type: string; estimate?: { name: string } }).estimate?.name === stream);
      expect(estimates, stream).toHaveLength(1);
      expect((estimates[0]!.trace as { estimate: { row_estimate: number } }).estimate.row_estimate, stream).toBe(ids(full, stream).length);
      const firstRecord = messages.findIndex((m) => m.type === 'RECORD' && (m.record as { stream: string }).stream === stream);
      expect(messages.indexOf(estimates[0]!), stream).toBeLessThan(firstRecord);
    }
  });

  it('after inserts, updates and deletes, an incremental run emits exactly the changed rows', async () => {
    const state = full.ofType('STATE').map((m) => m.state);
    const before = emulator.org.prepareQuery('SELECT Id FROM Account LIMIT 3', { includeDeleted: false });
    const [a, b, c] = [...before.rows()].map((r) => r.id);
    await new Promise((r) => setTimeout(r, 1100)); // bookmarks have whole-second precision
    emulator.mutate.update('Account', a!, { Name: 'Changed, "quoted"\nname' });
    emulator.mutate.delete('Account', b!);
    const created = emulator.mutate.create('Account', { Name: 'New Account' });
    const contact = emulator.mutate.create('Contact', { LastName: 'Ñúñez' });
    await new Promise((r) => setTimeout(r, 1100));
    const next = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'], {
      files: { 'config.json': config, 'catalog.json': catalog, 'state.json': state },
    });
    expect(next.exitCode, next.stderr).toBe(0);
    const accounts = next.records().get('Account') ?? [];
    expect(new Set(accounts.map((r) => r.Id))).toEqual(new Set([a, b, created]));
    expect(accounts.find((r) => r.Id === a)!.Name).toBe('Changed, "quoted"\nname');
    expect(accounts.find((r) => r.Id === b)!.IsDeleted).toBe(true);
    expect(ids(next, 'Contact')).toEqual([contact]);
    expect(ids(next, 'Account')).not.toContain(c);
    expect(next.records().get('Invoice__c') ?? []).toEqual([]);
  });

  it('reads nothing from a far-future state and still emits a STATE per stream', async () => {
    const future = STREAMS.map((name) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: { [name === 'LoginHistory' ? 'LoginTime' : 'SystemModstamp']: '2999-01-01T00:00:00.000Z' } } }));
    const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'], {
      files: { 'config.json': config, 'catalog.json': catalog, 'state.json': future },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.ofType('RECORD')).toEqual([]);
    expect(run.ofType('STATE').length).toBeGreaterThanOrEqual(STREAMS.length);
  });

  it('reports a bogus catalog as a config error trace and a non-zero exit', async () => {
    const bogus = { streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'INVALID' }] };
    const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': bogus } });
    expect(run.exitCode).toBe(3);
    expect(run.errors()[0]).toMatchObject({ failure_type: 'config_error' });
  });
});

describe('read (Singer)', () => {
  it('resumes from every STATE a run emitted without losing a row', async () => {
    const discover = await runTap(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': config } });
    const catalog = JSON.parse(discover.stdout) as { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
    for (const s of catalog.streams) s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = s.tap_stream_id === 'Contact';
    const singerConfig = { ...config, stream_slice_step: 'P180D' };
    const first = await runTap(['--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': singerConfig, 'catalog.json': catalog } });
    expect(first.exitCode, first.stderr).toBe(0);
    const types = first.messages().map((m) => m.type);
    expect(types.indexOf('SCHEMA')).toBeLessThan(types.indexOf('RECORD'));
    const all = new Set(ids(first, 'Contact'));
    expect(all).toEqual(orgIds('Contact'));
    const states = first.ofType('STATE');
    expect(states.length).toBeGreaterThan(3);
    // Emitted before a STATE are the rows it covers; a run resumed from it must bring the rest.
    const lines = first.messages();
    for (const [k, state] of states.entries()) {
      if (k % 3 !== 1) continue;
      const position = lines.indexOf(state);
      const seen = new Set(lines.slice(0, position).filter((m) => m.type === 'RECORD').map((m) => (m.record as { Id: string }).Id));
      const resumed = await runTap(['--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'], {
        files: { 'config.json': singerConfig, 'catalog.json': catalog, 'state.json': state.value },
      });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      for (const id of ids(resumed, 'Contact')) seen.add(id);
      expect(seen).toEqual(all);
    }
  });
});
