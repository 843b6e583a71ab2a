/**
 * Airbyte's connector acceptance tests (protocols.md §3) replicated against the emulator with the
 * real CLI: discovery, basic read on a catalog built the way CAT builds it, sequential full
 * refreshes, sequential incremental reads and slices, far-future state, and the bogus catalog.
 * (Spec checks are in test/unit/cli/spec-rules.test.ts; image checks in test/container.)
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

interface Stream {
  name: string;
  json_schema: { properties: Record<string, { type?: string | string[] }> } & Record<string, unknown>;
  supported_sync_modes: string[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
}

interface StateMessage {
  type: string;
  stream: { stream_descriptor: { name: string }; stream_state: unknown };
  sourceStats?: { recordCount: number };
}

let emulator: Emulator;
let config: Record<string, unknown>;
let discovered: TapRun;
let streams: Stream[];

beforeAll(async () => {
  emulator = await startEmulator({ records: 120, seed: 23 });
  emulator.settings.bulkJobDelayMs = 0;
  config = { ...emulator.tapConfig('password'), stream_slice_step: 'P180D' };
  discovered = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
  streams = (discovered.ofType('CATALOG')[0]!.catalog as { streams: Stream[] }).streams;
});
afterAll(async () => {
  await emulator.close();
});

const read = (catalog: unknown, state?: unknown) =>
  runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state ? ['--state', '{file:state.json}'] : [])], {
    files: { 'config.json': config, 'catalog.json': catalog, ...(state ? { 'state.json': state } : {}) },
  });

/** CAT's configured catalog: first supported mode, append, source-defined cursor and key. */
function catalogFor(list: Stream[], mode?: 'full_refresh' | 'incremental') {
  return {
    streams: list.map((stream) => ({
      stream,
      sync_mode: mode ?? stream.supported_sync_modes[0],
      destination_sync_mode: 'append',
      ...(stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
      ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
    })),
  };
}

const states = (run: TapRun) => run.ofType('STATE').map((m) => m.state as StateMessage);
const recordsOf = (run: TapRun) => run.ofType('RECORD').map((m) => m.record as { stream: string; data: Record<string, unknown>; emitted_at: number });

/** The per-stream state CAT feeds back: the last STREAM state of each stream. */
function lastStates(list: StateMessage[]): StateMessage[] {
  const last = new Map<string, StateMessage>();
  for (const state of list) last.set(state.stream.stream_descriptor.name, state);
  return [...last.values()].map(({ type, stream }) => ({ type, stream }));
}

describe('TestDiscovery', () => {
  it('one CATALOG, unique stream names, Draft-7 schemas, keys and cursors inside them', () => {
    expect(discovered.exitCode, discovered.stderr).toBe(0);
    assertValidAirbyteLines(discovered.stdout);
    expect(discovered.ofType('CATALOG')).toHaveLength(1);
    expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length);
    const ajv = new Ajv({ strict: false });
    for (const stream of streams) {
      expect(ajv.validateSchema(stream.json_schema), stream.name).toBe(true);
      const text = JSON.stringify(stream.json_schema);
      expect(text, stream.name).not.toMatch(/"\$ref"|"allOf"|"not"|"additionalProperties":false/);
      expect(stream.supported_sync_modes.length, stream.name).toBeGreaterThan(0);
      for (const path of stream.source_defined_primary_key ?? []) {
        const property = stream.json_schema.properties[path[0]!];
        expect(property, `${stream.name} key ${path.join('.')}`).toBeDefined();
        expect(JSON.stringify(property!.type), `${stream.name} key type`).not.toMatch(/object|array/);
      }
      for (const field of stream.default_cursor_field ?? []) expect(stream.json_schema.properties[field], `${stream.name} cursor`).toBeDefined();
    }
  });
});

describe('TestBasicRead', () => {
  let run: TapRun;
  beforeAll(async () => {
    run = await read(catalogFor(streams));
  });

  it('reads ≥1 record per stream, each valid against its schema (strict integers, date-times), no undeclared field', () => {
    expect(run.exitCode, run.stderr).toBe(0);
    assertValidAirbyteLines(run.stdout);
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats.default(ajv, ['date', 'date-time', 'time']);
    const validators = new Map<string, ValidateFunction>(streams.map((s) => [s.name, ajv.compile(s.json_schema)]));
    const seen = new Map<string, number>();
    for (const record of recordsOf(run)) {
      seen.set(record.stream, (seen.get(record.stream) ?? 0) + 1);
      const validate = validators.get(record.stream)!;
      if (!validate(record.data)) throw new Error(`${record.stream} record ${String(record.data.Id)}: ${ajv.errorsText(validate.errors)}`);
      const declared = streams.find((s) => s.name === record.stream)!.json_schema.properties;
      const extra = Object.keys(record.data).filter((k) => !(k in declared));
      expect(extra, `${record.stream} undeclared fields`).toEqual([]);
      for (const path of streams.find((s) => s.name === record.stream)!.source_defined_primary_key ?? []) {
        const value = record.data[path[0]!];
        expect(value === null || typeof value === 'object', `${record.stream} key value`).toBe(false);
      }
    }
    for (const stream of streams) expect(seen.get(stream.name) ?? 0, stream.name).toBeGreaterThan(0);
  });

  it('emits ≥ one STREAM state per stream, each with sourceStats, and statuses in order', () => {
    const list = states(run);
    expect(list.length).toBeGreaterThanOrEqual(streams.length);
    for (const state of list) {
      expect(state.type).toBe('STREAM');
      expect(state.sourceStats?.recordCount, state.stream.stream_descriptor.name).toEqual(expect.any(Number));
    }
    for (const stream of streams) {
      const statuses = run
        .ofType('TRACE')
        .map((m) => m.trace as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
        .filter((t) => t.type === 'STREAM_STATUS' && t.stream_status!.stream_descriptor.name === stream.name)
        .map((t) => t.stream_status!.status);
      expect(statuses, stream.name).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    }
  });

  it('answers the bogus catalog with a TRACE ERROR and a non-zero exit', async () => {
    const bogus = { streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: { type: 'object', properties: { f1: { type: 'string' } } }, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'INVALID' }] };
    const bad = await read(bogus);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.errors().length).toBeGreaterThanOrEqual(1);
  });
});

describe('TestFullRefresh', () => {
  it('two sequential full refreshes: the same records, emitted_at strictly later the second time', async () => {
    const catalog = catalogFor(streams.filter((s) => s.supported_sync_modes.includes('full_refresh')), 'full_refresh');
    const first = await read(catalog);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await read(catalog);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(second.exitCode, second.stderr).toBe(0);
    const one = recordsOf(first);
    const two = recordsOf(second);
    expect(one.length).toBeGreaterThan(0);
    expect(Math.max(...one.map((r) => r.emitted_at))).toBeLessThan(Math.min(...two.map((r) => r.emitted_at)));
    const key = (r: { stream: string; data: Record<string, unknown> }) => `${r.stream}:${JSON.stringify(r.data)}`;
    expect(new Set(two.map(key))).toEqual(new Set(one.map(key)));
  });
});

describe('TestIncremental', () => {
  const incremental = () => streams.filter((s) => s.supported_sync_modes.includes('incremental'));
  let first: TapRun;
  beforeAll(async () => {
    first = await read(catalogFor(incremental(), 'incremental'));
  });

  it('two sequential reads: the second, from the first one\'s states, does not re-emit everything', async () => {
    expect(first.exitCode, first.stderr).toBe(0);
    expect(states(first).length).toBeGreaterThan(0);
    const second = await read(catalogFor(incremental(), 'incremental'), lastStates(states(first)));
    expect(second.exitCode, second.stderr).toBe(0);
    expect(recordsOf(second).length).toBeLessThan(recordsOf(first).length);
  });

  it('sequential slices: resuming from each intermediate checkpoint yields at least the records after it', async () => {
    const all = states(first);
    const checked: string[] = [];
    // Three streams with enough checkpoints are sampled, as CAT samples about five per stream.
    for (const stream of incremental()) {
      if (checked.length >= 6) break;
      const own = all.filter((s) => s.stream.stream_descriptor.name === stream.name);
      const total = recordsOf(first).filter((r) => r.stream === stream.name).length;
      // Collapse repeated states, drop empty ones, then sample the intermediate ones.
      const counted = own.filter((s, i) => (s.sourceStats?.recordCount ?? 0) > 0 && JSON.stringify(s.stream.stream_state) !== JSON.stringify(own[i + 1]?.stream.stream_state));
      if (counted.length < 3) continue;
      const sum = (upTo: number) => counted.slice(0, upTo + 1).reduce((n, s) => n + s.sourceStats!.recordCount, 0);
      for (const index of [1, Math.floor(counted.length / 2)]) {
        const { type, stream: descriptor } = counted[index]!;
        const resumed = await read(catalogFor([stream], 'incremental'), [{ type, stream: descriptor }]);
        expect(resumed.exitCode, resumed.stderr).toBe(0);
        const got = recordsOf(resumed).length;
        expect(got, `${stream.name} from checkpoint ${index}`).toBeGreaterThanOrEqual(total - sum(index));
        checked.push(`${stream.name}#${index}`);
      }
    }
    expect(checked.length, 'some stream has enough checkpoints to sample').toBeGreaterThan(0);
  });

  it('far-future state: 0 records and ≥1 STATE per stream', async () => {
    const future = incremental().map((s) => ({ type: 'STREAM', stream: { stream_descriptor: { name: s.name }, stream_state: { [s.default_cursor_field![0]!]: '2999-01-01T00:00:00.000Z' } } }));
    const run = await read(catalogFor(incremental(), 'incremental'), future);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(recordsOf(run)).toHaveLength(0);
    for (const stream of incremental()) expect(states(run).some((s) => s.stream.stream_descriptor.name === stream.name), stream.name).toBe(true);
  });
});

