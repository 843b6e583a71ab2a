/**
 * Faults the REST path must survive, each seen end to end against the emulator: a query page
 * whose body breaks off after its headers, session expiries close together with requests in
 * flight, a repeated nextRecordsUrl, and replies of the wrong shape. (A 200 whose JSON stops short
 * on a cleanly ended chunked body is in test/unit/http/reply-faults.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;

beforeAll(async () => {
  // 3,000 Accounts: two REST pages of at most 2,000 rows.
  emulator = await startEmulator({ records: 3000, seed: 17 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  emulator.faults.clear();
  emulator.journal.clear();
});

const catalog = (streams: string[]) => ({
  streams: streams.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
});

function readRest(streams: string[], extra: Record<string, unknown> = {}): Promise<TapRun> {
  const config = { ...emulator.tapConfig('password'), api_type: 'rest', rest_batch_size: 2000, ...extra };
  return runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': catalog(streams) }, timeoutMs: 120_000 });
}

function orgIds(sobject: string): string[] {
  return [...emulator.org.prepareQuery(`SELECT Id FROM ${sobject}`, { includeDeleted: true }).rows()].map((r) => r.id);
}

function expectOrgTruth(run: TapRun, sobject: string): void {
  expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
  const ids = (run.records().get(sobject) ?? []).map((r) => r.Id as string);
  expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(orgIds(sobject)));
}

const firedOn = (route: string) => emulator.journal.entries().filter((e) => e.route === route && e.fault !== undefined).length;

describe('REST reads under faults', () => {
  it('retries a second page whose connection resets 300 KB into its body', async () => {
    emulator.faults.add({ route: 'rest.queryMore', action: 'truncate', afterBytes: 300_000, truncateMode: 'reset', times: 1 });
    const run = await readRest(['Account']);
    expectOrgTruth(run, 'Account');
    expect(orgIds('Account')).toHaveLength(3000);
    expect(emulator.faults.pending()).toEqual([]);
  });

  it('shares one re-login between requests in flight and survives a second expiry close behind the first, and a later one', async () => {
    const streams = ['Account', 'Contact', 'Opportunity', 'Lead'];
    // Two expiries back to back while four streams page at once, then another one later.
    emulator.faults.add({ route: /^rest\.(query|queryMore)$/, action: 'session-expired', times: 2 });
    emulator.faults.add({ route: 'rest.queryMore', action: 'delay', delayMs: 300, times: 4 });
    const logins = emulator.journal.count({ route: 'oauth.token' });
    const run = await readRest(streams, { stream_concurrency: 4, rest_batch_size: 500 });
    for (const stream of streams) expectOrgTruth(run, stream);
    expect(emulator.journal.count({ route: 'oauth.token' }) - logins).toBeLessThanOrEqual(4);
    expect(emulator.faults.pending().filter((f) => f.action === 'session-expired')).toEqual([]);
  });

  it('stops with TAP_PAGINATION_LOOP when Salesforce hands out the same nextRecordsUrl again', async () => {
    const loop = { totalSize: 3000, done: false, nextRecordsUrl: '/services/data/v65.0/query/01gLOOP-2000', records: [] };
    emulator.faults.add({ route: 'rest.queryMore', status: 200, body: loop, times: 50 });
    const run = await readRest(['Account']);
    expect(run.exitCode).toBe(7);
    const errors = run.errors();
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toMatch(/TAP_PAGINATION_LOOP/);
    // The first page, the page naming the loop, and the repeat that gave it away.
    expect(firedOn('rest.queryMore')).toBe(2);
  });

  it('refuses a page with records: null with one error naming the endpoint', async () => {
    // Twice: the row count asked for the progress estimate meets it first (and is only skipped).
    emulator.faults.add({ route: /^rest\.(query|queryAll)$/, status: 200, body: { totalSize: 3, done: true, records: null }, times: 2 });
    const run = await readRest(['Account']);
    expect(run.exitCode).toBe(7);
    expect(run.stderr).not.toMatch(/Cannot read properties/);
    const errors = run.errors();
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toMatch(/TAP_REPLY_SHAPE/);
    expect(JSON.stringify(errors[0])).toMatch(/GET \/services\/data\/v[\d.]+\/query(All)?: .*`records` being null where an array belongs/);
  });
});
