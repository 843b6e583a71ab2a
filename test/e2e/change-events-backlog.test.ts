/**
 * A backlog of change events larger than Pub/Sub pull flow control hands out at once: more than
 * 250 changes between two runs, so the later run asks for them in several FetchRequests (at most
 * 100 events each) and re-reads the changed rows in several queries. It must deliver exactly those
 * changes: every created row, each changed row at its latest values, every deleted row as a tombstone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ records: 400, seed: 31, cdcObjects: ['Account'] });
  em.pubsub.settings.keepaliveMs = 200;
});
afterAll(async () => em.close());

const config = () => ({ ...em.tapConfig('password'), planner: 'sequential', streams_include: ['Account'], change_data_capture: ['Account'], pubsub_url: em.pubsub.url, cdc_idle_seconds: 3 });

function sync(state?: unknown): Promise<TapRun> {
  return runTap(['--config', '{file:config.json}', ...(state ? ['--state', '{file:state.json}'] : [])], { files: { 'config.json': config(), ...(state ? { 'state.json': state } : {}) } });
}

const names = () => new Map([...em.org.prepareQuery('SELECT Id, Name FROM Account', { includeDeleted: false }).rows()].map((r) => [r.id, r.values[1]]));

describe('a change event backlog larger than flow control', () => {
  it('delivers exactly the 300 changes made between two runs through several fetches and re-reads', async () => {
    const first = await sync();
    expect(first.exitCode, first.stderr).toBe(0);
    const state = first.ofType('STATE').at(-1)!['value'];

    const live = [...names().keys()];
    const created = Array.from({ length: 120 }, (_, i) => em.mutate.create('Account', { Name: `backlog new ${i}` }));
    // Half the new rows change again: the output must end at their latest values.
    for (const id of created.slice(0, 60)) em.mutate.update('Account', id, { Name: `backlog new, renamed ${id}` });
    const updated = live.slice(0, 80);
    for (const id of updated) em.mutate.update('Account', id, { Name: `backlog first ${id}` });
    for (const id of updated.slice(0, 20)) em.mutate.update('Account', id, { Name: `backlog second ${id}` });
    const deleted = live.slice(80, 100);
    for (const id of deleted) em.mutate.delete('Account', id);
    const changes = 120 + 60 + 80 + 20 + 20;
    expect(changes).toBeGreaterThan(250);

    const fetches = em.pubsub.stats().fetches;
    const delivered = em.pubsub.stats().delivered;
    // Re-read queries, sent directly or inside Composite requests.
    const queries = () => em.journal.countCalls('rest.query') + em.journal.countCalls('rest.queryAll');
    const rereads = queries();
    const calls = em.journal.usage().apiCalls;
    const run = await sync(state);
    expect(run.exitCode, run.stderr).toBe(0);

    // Flow control: at most 100 events per FetchRequest, so several of them. The backlog's events
    // are gathered and re-read 200 Ids per query (several queries share Composite requests).
    expect(em.pubsub.stats().delivered - delivered).toBeGreaterThanOrEqual(changes);
    expect(em.pubsub.stats().fetches - fetches).toBeGreaterThanOrEqual(Math.ceil(changes / 100));
    const rereadQueries = queries() - rereads;
    expect(rereadQueries).toBeGreaterThanOrEqual(1);
    expect(rereadQueries).toBeLessThanOrEqual(Math.ceil(changes / 200));
    // Discovery (describeGlobal, one Composite of describes) and the gathered re-reads: fewer calls than one per 100 events.
    const apiCalls = em.journal.usage().apiCalls - calls;
    expect(apiCalls).toBeLessThanOrEqual(Math.ceil(changes / 100) + 1);

    console.log(`backlog: ${changes} changes, ${em.pubsub.stats().delivered - delivered} events, ${em.pubsub.stats().fetches - fetches} FetchRequests, ${rereadQueries} re-read queries, ${apiCalls} API calls`);
    const records = run.records().get('Account') ?? [];
    const tombstones = records.filter((r) => r['_sdc_deleted_at']);
    expect(tombstones.map((r) => r['Id']).sort()).toEqual([...deleted].sort());
    const rows = records.filter((r) => !r['_sdc_deleted_at']);
    // Exactly the changed rows: nothing unchanged comes again.
    expect(new Set(rows.map((r) => r['Id']))).toEqual(new Set([...created, ...updated]));
    // The last record of each row holds its latest values.
    const latest = new Map(rows.map((r) => [r['Id'], r['Name']]));
    const truth = names();
    for (const id of [...created, ...updated]) expect(latest.get(id), id).toBe(truth.get(id));
    expect(latest.get(updated[0]!)).toBe(`backlog second ${updated[0]}`);
    expect(latest.get(created[0]!)).toBe(`backlog new, renamed ${created[0]}`);
  });
});
