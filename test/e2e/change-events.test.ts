/**
 * Change Data Capture end to end: the built CLI reads Account through the emulator's Pub/Sub API.
 * Every test ends by folding the output (records replace rows by Id, tombstones remove them) and
 * comparing it with the org's rows: the org's truth, nothing lost.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let em: Emulator;
let catalog: unknown;

beforeAll(async () => {
  em = await startEmulator({ records: 300, seed: 21, cdcObjects: ['Account'], settings: { bulkJobDelayMs: 100 } });
  em.pubsub.settings.keepaliveMs = 200;
  const discover = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': em.tapConfig() } });
  const stream = (discover.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams.find((s) => s.name === 'Account');
  catalog = { streams: [{ stream, sync_mode: 'incremental', destination_sync_mode: 'append_dedup', cursor_field: ['SystemModstamp'], primary_key: [['Id']] }] };
});
afterAll(async () => em.close());
beforeEach(() => {
  em.pubsub.select(['Account']);
  em.settings.bulkJobDelayMs = 100;
});

const config = () => ({ ...em.tapConfig('oauth_refresh_token'), planner: 'sequential', pubsub_url: em.pubsub.url, change_data_capture: ['Account'], cdc_idle_seconds: 3 });

function read(state?: unknown): Promise<TapRun> {
  return runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state ? ['--state', '{file:state.json}'] : [])], {
    files: { 'config.json': config(), 'catalog.json': catalog, ...(state ? { 'state.json': state } : {}) },
  });
}

function lastState(run: TapRun): unknown {
  const states = run.ofType('STATE');
  return [states.at(-1)!['state']];
}

/** The org's live rows: Id → Name. */
function truth(): Map<string, unknown> {
  return new Map([...em.org.prepareQuery('SELECT Id, Name FROM Account', { includeDeleted: false }).rows()].map((r) => [r.id, r.values[1]]));
}

/** Folds runs' records in order: a record replaces its row, a tombstone or IsDeleted row removes it. */
function fold(runs: TapRun[], into = new Map<string, unknown>()): Map<string, unknown> {
  for (const run of runs) {
    for (const r of run.records().get('Account') ?? []) {
      if (r['_ab_cdc_deleted_at'] || r['IsDeleted'] === true) into.delete(r['Id'] as string);
      else into.set(r['Id'] as string, r['Name']);
    }
  }
  return into;
}

function churn(n: number, tag: string): { created: string[]; updated: string[]; deleted: string[] } {
  const live = [...truth().keys()];
  const created = Array.from({ length: n }, (_, i) => em.mutate.create('Account', { Name: `${tag} new ${i}` }));
  const updated = live.slice(0, n);
  for (const id of updated) em.mutate.update('Account', id, { Name: `${tag} renamed ${id}` });
  const deleted = live.slice(n, n + Math.ceil(n / 2));
  for (const id of deleted) em.mutate.delete('Account', id);
  return { created, updated, deleted };
}

describe('change events (LOG_BASED) end to end', () => {
  it('first run: DML during the snapshot is not lost; later runs deliver exactly the changes since the last STATE', async () => {
    em.settings.bulkJobDelayMs = 1500;
    const bulkJobs = em.journal.count({ route: 'bulk.create' });
    const running = read();
    while (em.journal.count({ route: 'bulk.create' }) === bulkJobs) await new Promise((r) => setTimeout(r, 20));
    // The snapshot's job is running: these changes land between its position and its rows.
    const during = churn(6, 'during');
    const first = await running;
    expect(first.exitCode, first.stderr).toBe(0);
    expect(fold([first])).toEqual(truth());
    const state = lastState(first);
    expect(JSON.stringify(state)).toContain('replay_id');

    const changes = churn(4, 'later');
    const snapshotJobs = em.journal.count({ route: 'bulk.create' });
    const second = await read(state);
    expect(second.exitCode, second.stderr).toBe(0);
    // No snapshot again: the changes came as events, re-read by Id.
    expect(em.journal.count({ route: 'bulk.create' })).toBe(snapshotJobs);
    const ids = (second.records().get('Account') ?? []).map((r) => r['Id']);
    expect(new Set(ids)).toEqual(new Set([...changes.created, ...changes.updated, ...changes.deleted]));
    expect(fold([first, second])).toEqual(truth());
    const tombstones = (second.records().get('Account') ?? []).filter((r) => r['_ab_cdc_deleted_at']);
    expect(tombstones.map((r) => r['Id']).sort()).toEqual([...changes.deleted].sort());
    expect(during.created.length).toBe(6);
  });

  it('GAP_* re-reads the named records and GAP_OVERFLOW re-reads by SystemModstamp', async () => {
    const base = await read();
    const state = lastState(base);
    // Changes the bus does not describe (the object deselected), then announced by gap events.
    em.pubsub.select([]);
    const live = [...truth().keys()];
    em.mutate.update('Account', live[0]!, { Name: 'gap-updated' });
    const silent = [live[1]!, live[2]!];
    for (const id of silent) em.mutate.update('Account', id, { Name: `overflowed ${id}` });
    em.pubsub.select(['Account']);
    em.pubsub.gap('Account', [live[0]!], 'GAP_UPDATE');
    em.pubsub.overflow('Account');
    const run = await read(state);
    expect(run.exitCode, run.stderr).toBe(0);
    const names = new Map((run.records().get('Account') ?? []).map((r) => [r['Id'], r['Name']]));
    expect(names.get(live[0]!)).toBe('gap-updated');
    for (const id of silent) expect(names.get(id)).toBe(`overflowed ${id}`);
    expect(run.stderr).toMatch(/GAP_OVERFLOW/);
    expect(fold([base, run])).toEqual(truth());
  });

  it('resubscribes after dropped streams and after the session expired, ending with the org truth', async () => {
    const base = await read();
    const state = lastState(base);
    churn(5, 'dropped');
    em.pubsub.dropStreamsAfter(2, 3);
    const subscribes = em.pubsub.stats().subscribes;
    const running = read(state);
    // Once the run is streaming, end every session: the open stream fails UNAUTHENTICATED.
    while (em.pubsub.stats().subscribes < subscribes + 3) await new Promise((r) => setTimeout(r, 10));
    em.expireSessions();
    churn(2, 'expired-session');
    const run = await running;
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr, run.stderr).toMatch(/stream dropped/);
    expect(fold([base, run])).toEqual(truth());
  });

  it('an undeleted row comes back as its full record (IsDeleted false) after its tombstone', async () => {
    const base = await read();
    const [gone, blink] = [...truth().keys()].slice(7, 9) as [string, string];
    em.mutate.delete('Account', gone);
    const deleted = await read(lastState(base));
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect((deleted.records().get('Account') ?? []).filter((r) => r['Id'] === gone && r['_ab_cdc_deleted_at'])).toHaveLength(1);

    em.mutate.undelete('Account', gone);
    // Deleted and undeleted between two runs: only the row, never a tombstone after it.
    em.mutate.delete('Account', blink);
    em.mutate.undelete('Account', blink);
    const restored = await read(lastState(deleted));
    expect(restored.exitCode, restored.stderr).toBe(0);
    const snapshotRow = (base.records().get('Account') ?? []).find((r) => r['Id'] === gone)!;
    for (const id of [gone, blink]) {
      const rows = (restored.records().get('Account') ?? []).filter((r) => r['Id'] === id);
      expect(rows, id).toHaveLength(1);
      const row = rows[0]!;
      expect(row['IsDeleted']).toBe(false);
      expect(row['_ab_cdc_deleted_at'] ?? null).toBeNull();
      expect(Date.parse(String(row['SystemModstamp']))).toBe(Date.parse(String(em.org.getRecord('Account', id)!['SystemModstamp'])));
      // Every column, as the snapshot had it: re-read by Id, not pieced together from the event.
      expect(Object.keys(row).sort()).toEqual(Object.keys(snapshotRow).sort());
    }
    expect(fold([base, deleted, restored])).toEqual(truth());
  });

  // After the others: it moves the bus's clock past every replay id they could store.
  it('falls back to a SystemModstamp read when the stored replay id is past retention', async () => {
    const base = await read();
    const changes = churn(3, 'expired');
    em.pubsub.advanceClock(73 * 3600 * 1000);
    const run = await read(lastState(base));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/no longer retained/);
    const ids = new Set((run.records().get('Account') ?? []).map((r) => r['Id']));
    for (const id of [...changes.created, ...changes.updated, ...changes.deleted]) expect(ids.has(id)).toBe(true);
    expect(fold([base, run])).toEqual(truth());
  });

  it('check reports which change_data_capture streams have Change Data Capture enabled', async () => {
    const run = await runTap(['check', '--config', '{file:config.json}'], { files: { 'config.json': { ...config(), change_data_capture: ['Account', 'Opportunity'] } } });
    const status = run.ofType('CONNECTION_STATUS')[0]!['connectionStatus'] as { status: string; message: string };
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toMatch(/Change Data Capture: enabled for Account; not enabled for Opportunity/);
  });

  it('fails the stream with a clear error when the object is not selected for Change Data Capture', async () => {
    em.pubsub.select([]);
    const run = await read();
    expect(run.exitCode).not.toBe(0);
    expect(run.errors().map((e) => (e as { internal_message?: string }).internal_message ?? JSON.stringify(e)).join(' ')).toMatch(/PUBSUB_TOPIC_UNAVAILABLE|Change Data Capture/);
  });
});
