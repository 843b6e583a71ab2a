/**
 * Airbyte's connector acceptance tests (protocols.md §3) replicated against the emulator over real
 * HTTP with the built CLI: spec, connection, discovery, basic read on a catalog built the way CAT
 * builds it, sequential full refreshes, incremental reads resumed from every checkpoint, far-future
 * state, and bogus catalogs. Every stdout line of every run is validated against the protocol
 * schema. Image checks (labels, AIRBYTE_ENTRYPOINT) live in test/container.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { FORBIDDEN_KEYWORDS, SECRET_NAMES, walk, type SchemaNode as Node } from '../helpers/airbyte-spec-rules.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

interface Stream {
  name: string;
  json_schema: { properties: Record<string, { type?: string | string[] }> } & Record<string, unknown>;
  supported_sync_modes: string[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
}

interface StateMessage {
  type: string;
  stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> | null };
  sourceStats?: { recordCount: number };
}

interface RecordMessage {
  stream: string;
  data: Record<string, unknown>;
  emitted_at: number;
}

/** Rows changed this long before a bookmark are read again (the config's `lookback_window`). */
const LOOKBACK_MS = 10 * 86_400_000;

let emulator: Emulator;
let config: Record<string, unknown>;
let discovered: TapRun;
let streams: Stream[];

/** Runs the CLI and fails on any stdout line that is not a valid AirbyteMessage. */
async function airbyte(args: string[], files: Record<string, unknown>): Promise<TapRun> {
  const run = await runTap(args, { files });
  assertValidAirbyteLines(run.stdout);
  return run;
}

beforeAll(async () => {
  emulator = await startEmulator({ records: 120, seed: 23 });
  emulator.settings.bulkJobDelayMs = 0;
  // Calendar windows, so every stream has several checkpoints to resume from.
  config = { ...emulator.tapConfig('password'), planner: 'sequential', stream_slice_step: 'P365D', lookback_window: 'P10D' };
  discovered = await airbyte(['discover', '--config', '{file:config.json}'], { 'config.json': config });
  streams = (discovered.ofType('CATALOG')[0]!.catalog as { streams: Stream[] }).streams;
});
afterAll(async () => {
  await emulator.close();
});

const read = (catalog: unknown, state?: unknown) =>
  airbyte(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state ? ['--state', '{file:state.json}'] : [])], {
    'config.json': config,
    'catalog.json': catalog,
    ...(state ? { 'state.json': state } : {}),
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
const recordsOf = (run: TapRun) => run.ofType('RECORD').map((m) => m.record as RecordMessage);
const stateName = (state: StateMessage) => state.stream.stream_descriptor.name;
const statusTraces = (run: TapRun) =>
  run
    .ofType('TRACE')
    .map((m) => m.trace as { type: string; stream_status?: { stream_descriptor: { name: string }; status: string } })
    .filter((t) => t.type === 'STREAM_STATUS')
    .map((t) => t.stream_status!);

/** The state CAT feeds back: the last STREAM state of each stream, without sourceStats. */
function lastStates(list: StateMessage[]): StateMessage[] {
  const last = new Map<string, StateMessage>();
  for (const state of list) last.set(stateName(state), state);
  return [...last.values()].map(({ type, stream }) => ({ type, stream }));
}

interface Checkpoint {
  state: StateMessage;
  /** Records of the stream emitted after this STATE in the same run. */
  after: RecordMessage[];
}

/** Each stream's STATEs in order, with the records the run emitted after each one. */
function checkpointsOf(run: TapRun): Map<string, Checkpoint[]> {
  const records = new Map<string, RecordMessage[]>();
  const marks = new Map<string, { state: StateMessage; seen: number }[]>();
  for (const message of run.messages()) {
    if (message.type === 'RECORD') {
      const record = message.record as RecordMessage;
      records.set(record.stream, [...(records.get(record.stream) ?? []), record]);
    } else if (message.type === 'STATE') {
      const state = message.state as StateMessage;
      const name = stateName(state);
      marks.set(name, [...(marks.get(name) ?? []), { state, seen: records.get(name)?.length ?? 0 }]);
    }
  }
  return new Map([...marks].map(([name, list]) => [name, list.map(({ state, seen }) => ({ state, after: (records.get(name) ?? []).slice(seen) }))]));
}

/** sourceStats.recordCount of every STATE equals that stream's RECORDs since its previous STATE. */
function expectExactRecordCounts(run: TapRun): void {
  const since = new Map<string, number>();
  for (const message of run.messages()) {
    if (message.type === 'RECORD') {
      const name = (message.record as RecordMessage).stream;
      since.set(name, (since.get(name) ?? 0) + 1);
    } else if (message.type === 'STATE') {
      const state = message.state as StateMessage;
      expect(state.sourceStats?.recordCount, `recordCount of a ${stateName(state)} STATE`).toBe(since.get(stateName(state)) ?? 0);
      since.set(stateName(state), 0);
    }
  }
}

/** Each configured stream ends with a STATE after its last RECORD, then COMPLETE. */
function expectStateAfterEachStream(run: TapRun, names: string[]): void {
  const order = run.messages().map((m) => {
    if (m.type === 'RECORD') return `RECORD:${(m.record as RecordMessage).stream}`;
    if (m.type === 'STATE') return `STATE:${stateName(m.state as StateMessage)}`;
    const status = (m.trace as { stream_status?: { stream_descriptor: { name: string }; status: string } } | undefined)?.stream_status;
    return status ? `${status.status}:${status.stream_descriptor.name}` : m.type;
  });
  for (const name of names) {
    const lastState = order.lastIndexOf(`STATE:${name}`);
    expect(lastState, `${name} has a STATE`).toBeGreaterThanOrEqual(0);
    expect(lastState, `${name}: STATE after its last RECORD`).toBeGreaterThan(order.lastIndexOf(`RECORD:${name}`));
    expect(lastState, `${name}: STATE before COMPLETE`).toBeLessThan(order.indexOf(`COMPLETE:${name}`));
  }
}


/** The property a config path names in a connection specification, through nested `properties`. */
function specProperty(spec: Node, path: string[]): Node | undefined {
  let node: Node | undefined = spec;
  for (const key of path) node = (node?.properties as Record<string, Node> | undefined)?.[key];
  return node;
}

describe('TestSpec', () => {
  let spec: Node;
  let connection: Node;
  beforeAll(async () => {
    const run = await airbyte(['spec'], {});
    expect(run.exitCode, run.stderr).toBe(0);
    const messages = run.ofType('SPEC');
    expect(messages).toHaveLength(1);
    spec = messages[0]!.spec as Node;
    connection = spec.connectionSpecification as Node;
  });

  it('serves a Draft-7 connection specification that the test config matches', () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    expect(connection.$schema ?? 'http://json-schema.org/draft-07/schema#').toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(connection), JSON.stringify(ajv.errors)).toBe(true);
    const validate = ajv.compile(connection);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('marks every secret-named string property airbyte_secret, and nothing that cannot hold a secret', () => {
    const marked: string[] = [];
    walk(connection, (n, path) => {
      if (path.at(-1) === 'properties') return;
      const props = n.properties as Record<string, Node> | undefined;
      for (const [name, p] of Object.entries(props ?? {})) {
        const canHoldSecret = ['string', 'integer', 'number'].includes(String(p.type)) && !('const' in p);
        if (SECRET_NAMES.has(name) && canHoldSecret) expect(p.airbyte_secret, name).toBe(true);
        if (!canHoldSecret) expect(p.airbyte_secret, name).toBeUndefined();
        if (p.airbyte_secret === true) marked.push(name);
      }
    });
    // The values the emulator's configs carry as secrets are all among them.
    for (const name of ['client_secret', 'password', 'security_token', 'refresh_token', 'private_key', 'access_token']) expect(marked).toContain(name);
  });

  it('uses no keyword CAT forbids, additionalProperties only true, distinct enums', () => {
    walk(connection, (n, path) => {
      if (path.at(-1) === 'properties') return; // property names are exempt
      for (const keyword of FORBIDDEN_KEYWORDS) expect(keyword in n, `${keyword} at ${path.join('.')}`).toBe(false);
      if ('additionalProperties' in n) expect(n.additionalProperties, path.join('.')).toBe(true);
      if (Array.isArray(n.enum)) expect(new Set(n.enum).size, path.join('.')).toBe(n.enum.length);
    });
  });

  it('has advanced_auth whose predicate and every path_in_connector_config name properties of the spec', () => {
    const auth = spec.advanced_auth as Node;
    expect(auth.auth_flow_type).toBe('oauth2.0');
    const predicate = specProperty(connection, auth.predicate_key as string[]);
    expect(predicate, 'predicate_key').toBeDefined();
    expect([...((predicate!.enum as unknown[]) ?? []), predicate!.const]).toContain(auth.predicate_value);
    const paths: string[][] = [];
    walk(auth.oauth_config_specification, (n) => {
      if (Array.isArray(n.path_in_connector_config)) paths.push(n.path_in_connector_config as string[]);
    });
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(specProperty(connection, path), path.join('.')).toBeDefined();
    // What the OAuth flow writes back holds secrets, and the spec says so.
    const output = (auth.oauth_config_specification as Node).complete_oauth_output_specification as Node;
    for (const p of Object.values(output.properties as Record<string, Node>)) {
      expect(specProperty(connection, p.path_in_connector_config as string[])!.airbyte_secret).toBe(true);
    }
  });
});

describe('TestConnection', () => {
  const connectionStatuses = (run: TapRun) => run.ofType('CONNECTION_STATUS').map((m) => m.connectionStatus as { status: string; message?: string });

  it('succeed: exactly one CONNECTION_STATUS, SUCCEEDED, exit 0', async () => {
    const run = await airbyte(['check', '--config', '{file:config.json}'], { 'config.json': config });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(connectionStatuses(run).map((s) => s.status)).toEqual(['SUCCEEDED']);
  });

  it('failed: a wrong password gives exactly one CONNECTION_STATUS, FAILED with a message, exit 0', async () => {
    const run = await airbyte(['check', '--config', '{file:config.json}'], { 'config.json': { ...config, password: 'not-the-password' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const statuses = connectionStatuses(run);
    expect(statuses.map((s) => s.status)).toEqual(['FAILED']);
    expect(statuses[0]!.message).toMatch(/password/i);
  });
});

describe('TestDiscovery', () => {
  it('one CATALOG, unique stream names, Draft-7 schemas, keys and cursors inside them', () => {
    expect(discovered.exitCode, discovered.stderr).toBe(0);
    expect(discovered.ofType('CATALOG')).toHaveLength(1);
    expect(streams.length).toBeGreaterThan(0);
    expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length);
    const ajv = new Ajv({ strict: false });
    for (const stream of streams) {
      expect(stream.json_schema, stream.name).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(ajv.validateSchema(stream.json_schema), stream.name).toBe(true);
      walk(stream.json_schema, (n, path) => {
        if (path.at(-1) === 'properties') return; // property names are exempt
        for (const keyword of ['$ref', 'allOf', 'not']) expect(keyword in n, `${stream.name}: ${keyword} at ${path.join('.')}`).toBe(false);
        if ('additionalProperties' in n) expect(n.additionalProperties, `${stream.name} ${path.join('.')}`).toBe(true);
      });
      expect(stream.supported_sync_modes.length, stream.name).toBeGreaterThan(0);
      for (const mode of stream.supported_sync_modes) expect(['full_refresh', 'incremental']).toContain(mode);
      for (const path of stream.source_defined_primary_key ?? []) {
        const property = specProperty(stream.json_schema, path);
        expect(property, `${stream.name} key ${path.join('.')}`).toBeDefined();
        expect(JSON.stringify(property!.type), `${stream.name} key type`).not.toMatch(/object|array/);
      }
      if (stream.supported_sync_modes.includes('incremental')) expect(stream.default_cursor_field, `${stream.name} cursor`).toBeDefined();
      if (stream.default_cursor_field) expect(specProperty(stream.json_schema, stream.default_cursor_field), `${stream.name} cursor`).toBeDefined();
      if (stream.is_resumable) expect(stream.source_defined_cursor, `${stream.name} is_resumable needs source_defined_cursor`).toBeDefined();
    }
  });
});

describe('TestBasicRead', () => {
  let run: TapRun;
  beforeAll(async () => {
    run = await read(catalogFor(streams));
  });

  it('reads ≥1 record per stream, each valid against its schema (date-times checked), no undeclared field', () => {
    expect(run.exitCode, run.stderr).toBe(0);
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats.default(ajv, ['date', 'date-time', 'time', 'uri-reference']);
    const validators = new Map<string, ValidateFunction>(streams.map((s) => [s.name, ajv.compile(s.json_schema)]));
    const seen = new Map<string, number>();
    for (const record of recordsOf(run)) {
      seen.set(record.stream, (seen.get(record.stream) ?? 0) + 1);
      const validate = validators.get(record.stream);
      expect(validate, `record of an unconfigured stream ${record.stream}`).toBeDefined();
      const id = String(record.data.Id);
      if (!validate!(record.data)) throw new Error(`${record.stream} record ${id}: ${ajv.errorsText(validate!.errors)}`);
      const stream = streams.find((s) => s.name === record.stream)!;
      const extra = Object.keys(record.data).filter((k) => !(k in stream.json_schema.properties));
      expect(extra, `${record.stream} undeclared fields`).toEqual([]);
      for (const path of stream.source_defined_primary_key ?? []) {
        const value = record.data[path[0]!];
        expect(value === null || value === undefined || typeof value === 'object', `${record.stream} key value ${String(value)}`).toBe(false);
      }
    }
    for (const stream of streams) expect(seen.get(stream.name) ?? 0, stream.name).toBeGreaterThan(0);
  });

  it('emits ≥1 STREAM state per stream after its records, sourceStats.recordCount exact on every STATE', () => {
    const list = states(run);
    expect(list.length).toBeGreaterThanOrEqual(streams.length);
    for (const state of list) expect(state.type).toBe('STREAM');
    expectExactRecordCounts(run);
    expectStateAfterEachStream(run, streams.map((s) => s.name));
  });

  it('reports STARTED → RUNNING → COMPLETE for every stream', () => {
    const traces = statusTraces(run);
    for (const stream of streams) {
      const statuses = traces.filter((s) => s.stream_descriptor.name === stream.name).map((s) => s.status);
      expect(statuses, stream.name).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    }
  });

  it('reads only the configured streams and, within them, only the fields their json_schema keeps', async () => {
    const account = streams.find((s) => s.name === 'Account')!;
    const kept = ['Id', 'Name', 'SystemModstamp'];
    const narrowed = { ...account, json_schema: { ...account.json_schema, properties: Object.fromEntries(kept.map((k) => [k, account.json_schema.properties[k]!])) } };
    const contact = streams.find((s) => s.name === 'Contact')!;
    const subset = await read(catalogFor([narrowed, contact], 'full_refresh'));
    expect(subset.exitCode, subset.stderr).toBe(0);
    const records = subset.records();
    expect([...records.keys()].sort()).toEqual(['Account', 'Contact']);
    for (const row of records.get('Account')!) expect(Object.keys(row).sort()).toEqual(kept);
    for (const row of records.get('Contact')!) expect(Object.keys(row).every((k) => k in contact.json_schema.properties)).toBe(true);
    expect(new Set(statusTraces(subset).map((s) => s.stream_descriptor.name))).toEqual(new Set(['Account', 'Contact']));
    expect(new Set(states(subset).map(stateName))).toEqual(new Set(['Account', 'Contact']));
    expectExactRecordCounts(subset);
  });
});

describe('bogus configured catalogs: an ERROR trace with failure_type config_error, exit 3', () => {
  const account = () => catalogFor(streams.filter((s) => s.name === 'Account'), 'incremental').streams[0]!;
  const cases: [string, () => unknown, string][] = [
    [
      "CAT's catalog (an unknown stream, sync modes INVALID)",
      () => ({ streams: [{ stream: { name: '__AIRBYTE__stream_that_does_not_exist', json_schema: { type: 'object', properties: { f1: { type: 'string' } } }, supported_sync_modes: ['full_refresh'] }, sync_mode: 'INVALID', destination_sync_mode: 'INVALID' }] }),
      'TAP_CATALOG_INVALID',
    ],
    ['an unknown stream', () => ({ streams: [{ ...account(), stream: { ...account().stream, name: 'NoSuchObject__c' } }] }), 'TAP_CATALOG_UNKNOWN_STREAM'],
    [
      'an unknown field',
      () => ({ streams: [{ ...account(), stream: { ...account().stream, json_schema: { type: 'object', properties: { Id: { type: 'string' }, NoSuchField__c: { type: 'string' } } } } }] }),
      'TAP_CATALOG_UNKNOWN_FIELD',
    ],
    ['malformed JSON', () => '{"streams": [{"stream": ', 'TAP_CATALOG_INVALID_JSON'],
  ];

  it.each(cases)('%s', async (_, catalog, code) => {
    const bad = await read(catalog());
    expect(bad.exitCode, bad.stderr).toBe(3);
    expect(recordsOf(bad)).toEqual([]);
    const errors = bad.errors();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ failure_type: 'config_error', internal_message: expect.stringMatching(new RegExp(`^${code}(:|$)`)), message: expect.any(String) });
  });
});

describe('TestFullRefresh', () => {
  it('two sequential full refreshes: the same records (emitted_at aside), emitted_at strictly later the second time', async () => {
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
    const key = (r: RecordMessage) => `${r.stream}:${JSON.stringify(r.data)}`;
    expect(two.map(key).sort()).toEqual(one.map(key).sort());
    expectExactRecordCounts(first);
  });
});

describe('TestIncremental', () => {
  const incremental = () => streams.filter((s) => s.supported_sync_modes.includes('incremental'));
  const cursorOf = (name: string) => streams.find((s) => s.name === name)!.default_cursor_field![0]!;
  let first: TapRun;
  let firstRecords: RecordMessage[];
  beforeAll(async () => {
    first = await read(catalogFor(incremental(), 'incremental'));
    firstRecords = recordsOf(first);
  });

  it('a first read: records, a STATE after each stream, exact recordCounts', () => {
    expect(first.exitCode, first.stderr).toBe(0);
    expect(firstRecords.length).toBeGreaterThan(0);
    expectExactRecordCounts(first);
    expectStateAfterEachStream(first, incremental().map((s) => s.name));
  });

  it("two sequential reads: the second, from the first one's states, does not re-emit everything", async () => {
    const second = await read(catalogFor(incremental(), 'incremental'), lastStates(states(first)));
    expect(second.exitCode, second.stderr).toBe(0);
    expect(recordsOf(second).length).toBeLessThan(firstRecords.length);
    expectExactRecordCounts(second);
  });

  it('resumed from each checkpoint: nothing older than the cursor minus the lookback, nothing the first read emitted after it lost', async () => {
    const checkpoints = new Map([...checkpointsOf(first)].map(([name, list]) => [name, list.filter((c, i) => JSON.stringify(c.state.stream.stream_state) !== JSON.stringify(list[i + 1]?.state.stream.stream_state))]));
    const depth = Math.max(...[...checkpoints.values()].map((list) => list.length));
    expect(depth, 'streams are read in several windows').toBeGreaterThan(3);
    let resumedFrom = 0;
    let rereadByLookback = 0;
    // One read per checkpoint index resumes every stream from its own checkpoint at that index.
    const resumeAt = async (index: number) => {
      const at = new Map([...checkpoints].filter(([, list]) => list.length > index).map(([name, list]) => [name, list[index]!]));
      const input = [...at.values()].map(({ state }) => ({ type: state.type, stream: state.stream }));
      return { index, at, resumed: await read(catalogFor(incremental().filter((s) => at.has(s.name)), 'incremental'), input) };
    };
    const indexes = Array.from({ length: depth }, (_, i) => i);
    const runs = [];
    for (let i = 0; i < depth; i += 3) runs.push(...(await Promise.all(indexes.slice(i, i + 3).map(resumeAt))));
    for (const { index, at, resumed } of runs) {
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expectExactRecordCounts(resumed);
      const got = resumed.records();
      for (const [name, checkpoint] of at) {
        const cursor = cursorOf(name);
        const from = Date.parse(String(checkpoint.state.stream.stream_state![cursor])) - LOOKBACK_MS;
        const rows = got.get(name) ?? [];
        const older = rows.filter((r) => Date.parse(String(r[cursor])) < from);
        expect(older.map((r) => r[cursor]), `${name} from checkpoint ${index}: rows older than cursor − lookback`).toEqual([]);
        const ids = new Set(rows.map((r) => r.Id));
        const lost = checkpoint.after.filter((r) => !ids.has(r.data.Id));
        expect(lost.map((r) => r.data.Id), `${name} from checkpoint ${index}: rows lost`).toEqual([]);
        // The lookback re-reads what the first read had already emitted within it.
        const within = firstRecords.filter((r) => r.stream === name && Date.parse(String(r.data[cursor])) >= from);
        expect(within.filter((r) => !ids.has(r.data.Id)).map((r) => r.data.Id), `${name} from checkpoint ${index}: rows within the lookback not read again`).toEqual([]);
        rereadByLookback += within.length - checkpoint.after.length;
        resumedFrom++;
      }
    }
    expect(resumedFrom).toBeGreaterThan(incremental().length * 3);
    expect(rereadByLookback, 'some checkpoint has rows within its lookback').toBeGreaterThan(0);
  });

  it('sequential slices as CAT checks them: records from a checkpoint ≥ total − records counted up to it', async () => {
    const all = states(first);
    const stream = incremental().find((s) => s.name === 'Account')!;
    const own = all.filter((s) => stateName(s) === stream.name);
    const total = firstRecords.filter((r) => r.stream === stream.name).length;
    // Collapse repeated states, drop empty ones, then sample intermediate ones.
    const counted = own.filter((s, i) => (s.sourceStats?.recordCount ?? 0) > 0 && JSON.stringify(s.stream.stream_state) !== JSON.stringify(own[i + 1]?.stream.stream_state));
    expect(counted.length).toBeGreaterThanOrEqual(3);
    const sum = (upTo: number) => counted.slice(0, upTo + 1).reduce((n, s) => n + s.sourceStats!.recordCount, 0);
    for (const index of [1, Math.floor(counted.length / 2), counted.length - 2]) {
      const { type, stream: descriptor } = counted[index]!;
      const resumed = await read(catalogFor([stream], 'incremental'), [{ type, stream: descriptor }]);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(recordsOf(resumed).length, `${stream.name} from checkpoint ${index}`).toBeGreaterThanOrEqual(total - sum(index));
    }
  });

  it('far-future state: 0 records and ≥1 STATE per stream', async () => {
    const future = incremental().map((s) => ({ type: 'STREAM', stream: { stream_descriptor: { name: s.name }, stream_state: { [s.default_cursor_field![0]!]: '2999-01-01T00:00:00.000Z' } } }));
    const run = await read(catalogFor(incremental(), 'incremental'), future);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(recordsOf(run)).toHaveLength(0);
    for (const stream of incremental()) expect(states(run).some((s) => stateName(s) === stream.name), stream.name).toBe(true);
    expectExactRecordCounts(run);
  });
});
