/**
 * Chaos: a seeded run over more than 100k rows in several streams while the org answers with
 * random 5xx, connection resets mid-page, bodies cut short, an expired session, slow jobs and
 * jobs that fail. Every row must arrive, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);
const STREAMS = ['Account', 'Contact', 'Opportunity', 'Invoice__c', 'AcceptedEventRelation'];

let emulator: Emulator;
let run: TapRun;

function orgIds(sobject: string): Set<string> {
  return new Set([...emulator.org.prepareQuery(`SELECT Id FROM ${sobject}`, { includeDeleted: true }).rows()].map((r) => r.id));
}

beforeAll(async () => {
  emulator = await startEmulator({ records: 25_000, seed: SEED });
  const catalog = {
    streams: STREAMS.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append',
    })),
  };
  const config = { ...emulator.tapConfig('password'), lookback_window: '0', max_records: 5000, stream_slice_step: 'P400D', rest_batch_size: 500 };
  // Each kind of fault once for certain, then at random (seeded) for the rest of the run.
  const flaky = { times: Infinity };
  emulator.faults.add({ route: 'bulk.results', action: 'session-expired', times: 1, label: 'session expires between result pages' });
  emulator.faults.add({ route: 'bulk.create', action: 'job-failed', errorMessage: 'InternalServerError: Retried more than 15 times', times: 2 });
  emulator.faults.add({ route: 'bulk.results', action: 'truncate', afterBytes: 40_000, truncateMode: 'reset', times: 1 });
  emulator.faults.add({ route: 'bulk.results', action: 'truncate', afterBytes: 90_000, truncateMode: 'end', times: 1 });
  emulator.faults.add({ route: 'bulk.results', status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], times: 1 });
  emulator.faults.add({ route: 'bulk.get', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }], times: 1 });
  emulator.faults.add({ route: 'bulk.create', afterBytes: 0, truncateMode: 'reset', times: 1, label: 'job created, reply lost' });
  emulator.faults.add({ route: 'rest.queryAll', action: 'reset', times: 1 });
  emulator.faults.add({ route: 'rest.composite', status: 500, times: 1 });
  emulator.faults.add({ route: 'bulk.results', status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], probability: 0.06, ...flaky });
  emulator.faults.add({ route: 'bulk.results', action: 'truncate', afterBytes: 40_000, truncateMode: 'reset', probability: 0.06, ...flaky });
  emulator.faults.add({ route: 'bulk.results', action: 'truncate', afterBytes: 90_000, truncateMode: 'end', probability: 0.06, ...flaky });
  emulator.faults.add({ route: 'bulk.get', action: 'delay', delayMs: 400, probability: 0.3, ...flaky });
  emulator.faults.add({ route: 'bulk.get', status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }], probability: 0.1, ...flaky });
  emulator.faults.add({ route: /^rest\.(query|queryAll|queryMore)$/, status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'content-type': 'text/html' }, probability: 0.15, ...flaky });
  run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], {
    files: { 'config.json': config, 'catalog.json': catalog },
    timeoutMs: 240_000,
  });
}, 300_000);

afterAll(async () => {
  await emulator.close();
});

describe(`chaos (seed ${SEED})`, () => {
  it('loses no row and emits none twice, whatever the org threw at it', () => {
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    const records = run.records();
    let total = 0;
    const summary: string[] = [];
    for (const stream of STREAMS) {
      const ids = (records.get(stream) ?? []).map((r) => r.Id as string);
      const unique = new Set(ids);
      const expected = orgIds(stream);
      const lost = [...expected].filter((id) => !unique.has(id)).length;
      const extra = [...unique].filter((id) => !expected.has(id)).length;
      summary.push(`${stream}: ${ids.length} emitted, ${lost} lost, ${ids.length - unique.size} duplicates, ${extra} unknown`);
      expect(lost, stream).toBe(0);
      expect(extra, stream).toBe(0);
      // One run, lookback 0: the windows are disjoint, so a duplicate can only be a replayed page.
      expect(ids.length - unique.size, `${stream} duplicates`).toBe(0);
      total += ids.length;
    }
    console.log(`chaos seed ${SEED}: ${total} rows; ${summary.join('; ')}`);
    expect(total).toBeGreaterThanOrEqual(100_000);
  });

  it('really met the faults it was given', () => {
    // The certain (times: 1) faults are used up only once a request has met them.
    expect(emulator.faults.pending().filter((f) => f.remaining !== Infinity), 'every certain fault fired').toEqual([]);
    // Pages downloading in parallel on the expired session all get 401; one re-login serves them all.
    expect(emulator.journal.count({ route: 'bulk.results', status: 401 })).toBeGreaterThanOrEqual(1);
    expect(emulator.journal.count({ route: 'oauth.token' })).toBe(2);
    expect(run.stderr).toMatch(/retrying it in two halves/);
  });
});
