/**
 * API quota: when the org says REQUEST_LIMIT_EXCEEDED, or this run has used its configured share
 * of the daily API requests, the tap stops starting work, leaves the last STATE out and exits
 * with the quota code; the next run resumes from that STATE and loses nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
const QUOTA_EXIT = 2;

beforeAll(async () => {
  emulator = await startEmulator({ records: 3000, seed: 17 });
  // Jobs finish at once: the many small windows below stay quick.
  emulator.settings.bulkJobDelayMs = 0;
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.faults.clear();
  emulator.usage.reset();
  emulator.settings.dailyApiLimit = 15_000;
});

const catalog = {
  streams: ['Account', 'Contact'].map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: 'incremental',
    destination_sync_mode: 'append',
  })),
};

function config(extra: Record<string, unknown> = {}) {
  return { ...emulator.tapConfig('password'), planner: 'sequential', lookback_window: '0', stream_slice_step: 'P90D', stream_concurrency: 1, ...extra };
}

const read = (cfg: unknown, state?: unknown) =>
  runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state ? ['--state', '{file:state.json}'] : [])], {
    files: { 'config.json': cfg, 'catalog.json': catalog, ...(state ? { 'state.json': state } : {}) },
  });

/** The Airbyte state to resume from: the last STATE of each stream. */
function resumeState(run: TapRun): unknown[] {
  const last = new Map<string, unknown>();
  for (const m of run.ofType('STATE')) {
    const state = m.state as { stream: { stream_descriptor: { name: string } } };
    last.set(state.stream.stream_descriptor.name, state);
  }
  return [...last.values()];
}

function expectQuotaStop(run: TapRun): void {
  assertValidAirbyteLines(run.stdout);
  expect(run.exitCode, run.stderr).toBe(QUOTA_EXIT);
  const errors = run.errors();
  expect(errors).toHaveLength(1);
  expect(errors[0]!.failure_type).toBe('transient_error');
  // The last message before the error trace is not a record: every emitted record is covered.
  const messages = run.messages();
  const lastRecord = messages.map((m) => m.type).lastIndexOf('RECORD');
  const lastState = messages.map((m) => m.type).lastIndexOf('STATE');
  expect(lastState, 'a STATE follows the last record').toBeGreaterThan(lastRecord);
}

async function expectResumeCompletes(first: TapRun): Promise<void> {
  emulator.faults.clear();
  emulator.usage.reset();
  emulator.settings.dailyApiLimit = 15_000;
  const second = await read(config(), resumeState(first));
  expect(second.exitCode, second.stderr).toBe(0);
  for (const stream of ['Account', 'Contact']) {
    const got = new Set([...(first.records().get(stream) ?? []), ...(second.records().get(stream) ?? [])].map((r) => r.Id));
    const expected = new Set([...emulator.org.prepareQuery(`SELECT Id FROM ${stream}`, { includeDeleted: true }).rows()].map((r) => r.id));
    expect(got, stream).toEqual(expected);
  }
}

describe('API quota', () => {
  it('stops at the configured share of the daily requests, with the last STATE out, and resumes from it', async () => {
    // 200 daily requests, 30% for this run: the guard stops the run after about 60 calls.
    emulator.settings.dailyApiLimit = 200;
    const first = await read(config({ quota_percent_per_run: 30 }));
    expectQuotaStop(first);
    expect(first.errors()[0]!.internal_message ?? first.errors()[0]!.message).toMatch(/quota/i);
    expect(first.ofType('RECORD').length).toBeGreaterThan(0);
    await expectResumeCompletes(first);
  });

  it('stops on REQUEST_LIMIT_EXCEEDED from the org, with the last STATE out, and resumes from it', async () => {
    // Sequential requests with a seeded draw: the same request is hit on every run.
    emulator.faults.add({ route: 'bulk.create', action: 'request-limit', probability: 0.15, times: Infinity });
    const first = await read(config());
    expectQuotaStop(first);
    expect(emulator.journal.count({ route: 'bulk.create', status: 403 })).toBe(1);
    await expectResumeCompletes(first);
  });
});
