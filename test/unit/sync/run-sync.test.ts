import { describe, expect, it, vi } from 'vitest';
import type { FieldDefinition, SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { TapError } from '../../../src/core/errors.js';
import type { RecordBatch, SyncEvent } from '../../../src/sync/events.js';
import { bulk2Api } from '../../../src/sync/bulk2-reader.js';
import { ReadApiRegistry, type ReadRequest, type SyncWindow, type WindowReader } from '../../../src/sync/read-apis.js';
import type { SyncPlanHooks } from '../../../src/sync/read-modes.js';
import { restApi } from '../../../src/sync/rest-reader.js';
import { runSync, weighEvent } from '../../../src/sync/run-sync.js';

function field(name: string, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name, sfType: 'string', valueKind: 'string', schema: {}, nullable: true, calculated: false, bulkSelectable: true, ...extra };
}

function stream(name: string, extra: Partial<StreamDefinition> = {}, method: 'INCREMENTAL' | 'FULL_TABLE' = 'INCREMENTAL'): SelectedStream {
  const definition: StreamDefinition = {
    name, sobject: name, custom: false, keyProperties: ['Id'], replicationKey: 'SystemModstamp', validReplicationKeys: ['SystemModstamp'],
    bulkSupported: true, hasIsDeleted: true, schema: {}, fields: [field('Id'), field('SystemModstamp', { valueKind: 'datetime' })], ...extra,
  };
  return { definition, fields: ['Id', 'SystemModstamp'], method, ...(method === 'INCREMENTAL' ? { replicationKey: 'SystemModstamp' } : {}) };
}

/** Bulk API 2.0 and REST as the tap registers them, each read by `bulk` and `rest`. */
const apisOf = (bulk: WindowReader, rest: WindowReader) => new ReadApiRegistry([bulk2Api(bulk), restApi(rest)]);

const days = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString();

const hooks: SyncPlanHooks = {
  planWindows: (_s, bookmark) => {
    const start = bookmark?.value ? Number(bookmark.value.slice(8, 10)) - 1 : 0;
    const out: SyncWindow[] = [];
    for (let d = start; d < 4; d += 2) out.push({ start: days(d), end: days(Math.min(d + 2, 4)) });
    return out;
  },
  splitWindow: (w) => {
    const a = Date.parse(w.start);
    const b = Date.parse(w.end);
    if (b - a <= 86_400_000) return undefined;
    const mid = new Date(a + (b - a) / 2).toISOString();
    return [{ start: w.start, end: mid }, { start: mid, end: w.end }];
  },
  classifyFailure: (error) => (error.code === 'SF_INVALIDENTITY' ? 'fall_back' : error.code === 'TAP_BULK_JOB_TIMEOUT' ? 'shrink_window' : 'fail'),
  checkQuota: async () => undefined,
};

function recordsReader(calls: ReadRequest[], fail?: (r: ReadRequest) => TapError | undefined): WindowReader {
  return async function* (request) {
    calls.push(request);
    const error = fail?.(request);
    if (error) throw error;
    request.onEstimate(1);
    yield { count: 1, objects: [{ Id: `${request.stream.definition.name}-${request.window?.start ?? 'all'}` }] };
  };
}

async function collect(iterable: AsyncIterable<SyncEvent>): Promise<{ events: SyncEvent[]; error?: unknown }> {
  const events: SyncEvent[] = [];
  try {
    for await (const e of iterable) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const summary = (events: SyncEvent[], name: string) =>
  events
    .filter((e) => 'stream' in e && (typeof e.stream === 'string' ? e.stream === name : e.stream?.definition.name === name))
    .map((e) => (e.kind === 'status' ? e.status : e.kind === 'state' ? `state:${e.bookmark.value ?? (e.bookmark.complete ? 'complete' : '-')}` : e.kind));

describe('runSync', () => {
  /** Runs a stream of `batches` with a consumer that takes one event and stalls; returns how much the reader produced meanwhile, then drains. */
  async function producedWhileStalled(batches: (page: number) => RecordBatch, pageCount: number): Promise<{ produced: number; weight: number; records: number }> {
    let produced = 0;
    let weight = 0;
    const pages: WindowReader = async function* () {
      for (let page = 0; page < pageCount; page += 1) {
        const batch = batches(page);
        produced += 1;
        weight += weighEvent({ kind: 'records', stream: 'Account', batch });
        yield batch;
      }
    };
    const events = runSync({
      streams: [stream('Account', {}, 'FULL_TABLE')], bookmarks: new Map(), apis: apisOf(pages, pages),
      hooks, streamConcurrency: 1, signal: new AbortController().signal,
    })[Symbol.asyncIterator]();
    await events.next();
    await new Promise((r) => setTimeout(r, 50));
    const stalled = { produced, weight };
    let records = 0;
    for (let e = await events.next(); !e.done; e = await events.next()) if (e.value.kind === 'records') records += e.value.batch.count;
    return { ...stalled, records };
  }

  it('stops reading while 8 MiB of JSON lines wait for the output, however they are batched', async () => {
    const line = Buffer.from(`${JSON.stringify({ Id: '001', Name: 'x'.repeat(1000) })}\n`);
    const run = await producedWhileStalled(() => ({ count: 256, json: Buffer.concat(Array(256).fill(line)) }), 200);
    // 200 batches of about 256 KB: the reader stops after about 8 MiB of them (two more in flight), not 50 MB.
    expect(run.weight).toBeLessThanOrEqual(8 * 1024 * 1024 + 2 * 256 * line.length);
    expect(run.produced).toBeLessThan(40);
    expect(run.records).toBe(200 * 256);
  });

  it('weighs object records by their width: wide records stop the reader sooner than narrow ones', async () => {
    const page = (fields: number) => (p: number): RecordBatch => ({
      count: 200,
      objects: Array.from({ length: 200 }, (_, i) => Object.fromEntries([['Id', `${p}-${i}`], ...Array.from({ length: fields - 1 }, (_, f) => [`F${f}__c`, f])])),
    });
    const narrow = await producedWhileStalled(page(1), 20);
    const wide = await producedWhileStalled(page(400), 20);
    expect(narrow.records).toBe(4000);
    expect(wide.records).toBe(4000);
    // 200 records of one field weigh 51 KB a page: all 20 pages fit. Of 400 fields, 2.6 MB a page:
    // three wait in the channel, one is taken, one is in the reader's hands.
    expect(narrow.produced).toBe(20);
    expect(wide.produced).toBeLessThanOrEqual(6);
  });

  it('emits statuses, schema, records then a state after each window', async () => {
    const calls: ReadRequest[] = [];
    const { events, error } = await collect(runSync({
      streams: [stream('Account')], bookmarks: new Map(), apis: apisOf(recordsReader(calls), recordsReader(calls)),
      hooks, streamConcurrency: 2, signal: new AbortController().signal,
    }));
    expect(error).toBeUndefined();
    expect(summary(events, 'Account')).toEqual([
      'STARTED', 'schema', 'RUNNING', 'estimate', 'records', `state:${days(2)}`, 'estimate', 'records', `state:${days(4)}`, 'COMPLETE',
    ]);
    expect(calls.map((c) => c.api)).toEqual(['bulk', 'bulk']);
  });

  it('marks a full-table stream complete after reading it whole', async () => {
    const calls: ReadRequest[] = [];
    const { events } = await collect(runSync({
      streams: [stream('LoginHistory', { replicationKey: undefined }, 'FULL_TABLE')], bookmarks: new Map(),
      apis: apisOf(recordsReader(calls), recordsReader(calls)), hooks, streamConcurrency: 1, signal: new AbortController().signal,
    }));
    expect(summary(events, 'LoginHistory')).toEqual(['STARTED', 'schema', 'RUNNING', 'estimate', 'records', 'state:complete', 'COMPLETE']);
    expect(calls[0]!.window).toBeUndefined();
  });

  it('still checkpoints a stream with nothing to read', async () => {
    const { events } = await collect(runSync({
      streams: [stream('Account')], bookmarks: new Map([['Account', { replicationKey: 'SystemModstamp', value: '2999-01-01T00:00:00.000Z' }]]),
      apis: apisOf(recordsReader([]), recordsReader([])), hooks: { ...hooks, planWindows: () => [] }, streamConcurrency: 1,
      signal: new AbortController().signal,
    }));
    expect(summary(events, 'Account')).toEqual(['STARTED', 'schema', 'RUNNING', 'state:2999-01-01T00:00:00.000Z', 'COMPLETE']);
  });

  it('falls back to REST for the rest of the stream when Bulk refuses the object', async () => {
    const calls: ReadRequest[] = [];
    const read = recordsReader(calls, (r) => (r.api === 'bulk' ? new TapError('SF_INVALIDENTITY', 'not supported', { kind: 'salesforce' }) : undefined));
    const { events } = await collect(runSync({
      streams: [stream('Account')], bookmarks: new Map(), apis: apisOf(read, read), hooks, streamConcurrency: 1, signal: new AbortController().signal,
    }));
    expect(calls.map((c) => c.api)).toEqual(['bulk', 'rest', 'rest']);
    expect(summary(events, 'Account').filter((s) => s.startsWith('state'))).toHaveLength(2);
    expect(events.some((e) => e.kind === 'log' && e.message.includes('REST'))).toBe(true);
  });

  it('halves a window that timed out and covers the same range', async () => {
    const calls: ReadRequest[] = [];
    const read = recordsReader(calls, (r) =>
      r.window && Date.parse(r.window.end) - Date.parse(r.window.start) > 86_400_000 && r.window.start === days(0)
        ? new TapError('TAP_BULK_JOB_TIMEOUT', 'too slow', { kind: 'transient' }) : undefined);
    const { events } = await collect(runSync({
      streams: [stream('Account')], bookmarks: new Map(), apis: apisOf(read, read), hooks, streamConcurrency: 1, signal: new AbortController().signal,
    }));
    expect(calls.map((c) => `${c.window!.start.slice(8, 10)}-${c.window!.end.slice(8, 10)}`)).toEqual(['01-03', '01-02', '02-03', '03-05']);
    expect(summary(events, 'Account').filter((s) => s.startsWith('state'))).toEqual([`state:${days(1)}`, `state:${days(2)}`, `state:${days(4)}`]);
  });

  it('reports a failing stream as INCOMPLETE and goes on with the others', async () => {
    const read = recordsReader([], (r) => (r.stream.definition.name === 'Bad' ? new TapError('SF_MALFORMED_QUERY', 'bad where', { kind: 'salesforce' }) : undefined));
    const { events, error } = await collect(runSync({
      streams: [stream('Bad'), stream('Good')], bookmarks: new Map(), apis: apisOf(read, read), hooks, streamConcurrency: 1,
      signal: new AbortController().signal,
    }));
    expect(error).toBeUndefined();
    expect(summary(events, 'Bad')).toEqual(['STARTED', 'schema', 'RUNNING', 'INCOMPLETE', 'error']);
    expect(summary(events, 'Good').at(-1)).toBe('COMPLETE');
  });

  it('stops every stream on a global failure and ends with it after the states already out', async () => {
    let reads = 0;
    const read: WindowReader = async function* (request) {
      reads += 1;
      if (reads === 2) throw new TapError('TAP_QUOTA_REACHED', 'quota', { kind: 'quota' });
      yield { count: 1, objects: [{ Id: request.stream.definition.name }] };
    };
    const { events, error } = await collect(runSync({
      streams: [stream('A'), stream('B')], bookmarks: new Map(), apis: apisOf(read, read), hooks, streamConcurrency: 1,
      signal: new AbortController().signal,
    }));
    expect((error as TapError).code).toBe('TAP_QUOTA_REACHED');
    expect(summary(events, 'A')).toEqual(['STARTED', 'schema', 'RUNNING', 'records', `state:${days(2)}`, 'INCOMPLETE']);
    expect(summary(events, 'B')).toEqual([]);
  });

  it('ends with an interruption when the caller aborts', async () => {
    const controller = new AbortController();
    const read: WindowReader = async function* (request) {
      controller.abort();
      request.signal.throwIfAborted();
      yield { count: 0 };
    };
    const { error } = await collect(runSync({
      streams: [stream('A')], bookmarks: new Map(), apis: apisOf(read, read), hooks, streamConcurrency: 1, signal: controller.signal,
    }));
    expect((error as TapError).kind).toBe('interrupted');
  });
});

describe('runSync API choice', () => {
  const withBase64 = (): SelectedStream => {
    const s = stream('ContentVersion');
    s.definition.fields.push(field('VersionData', { sfType: 'base64', bulkSelectable: false }));
    return { ...s, fields: ['Id', 'SystemModstamp', 'VersionData'] };
  };

  it('reads through REST when a selected field needs it', async () => {
    const calls: ReadRequest[] = [];
    await collect(runSync({ streams: [withBase64()], bookmarks: new Map(), apis: apisOf(recordsReader(calls), recordsReader(calls)), hooks, streamConcurrency: 1, signal: new AbortController().signal }));
    expect(new Set(calls.map((c) => c.api))).toEqual(new Set(['rest']));
  });

  it('keeps Bulk and leaves such fields out when the user insists on Bulk', async () => {
    const calls: ReadRequest[] = [];
    const { events } = await collect(runSync({ streams: [withBase64()], api: 'bulk', bookmarks: new Map(), apis: apisOf(recordsReader(calls), recordsReader(calls)), hooks, streamConcurrency: 1, signal: new AbortController().signal }));
    expect(new Set(calls.map((c) => c.api))).toEqual(new Set(['bulk']));
    expect(calls[0]!.plan.columns.map((c) => c.name)).toEqual(['Id', 'SystemModstamp']);
    expect(events.some((e) => e.kind === 'log' && e.level === 'warn' && e.message.includes('VersionData'))).toBe(true);
  });

  it('uses REST only when asked to', async () => {
    const calls: ReadRequest[] = [];
    await collect(runSync({ streams: [stream('Account')], api: 'rest', bookmarks: new Map(), apis: apisOf(recordsReader(calls), recordsReader(calls)), hooks, streamConcurrency: 1, signal: new AbortController().signal }));
    expect(new Set(calls.map((c) => c.api))).toEqual(new Set(['rest']));
  });

  it('starts the first job of a stream waiting for its turn, and emits its events only after the stream before it', async () => {
    const jobs: string[] = [];
    let finishA!: () => void;
    const aMayFinish = new Promise<void>((resolve) => (finishA = resolve));
    const bulk = bulk2Api({
      read: recordsReader([]),
      async prepare(request) {
        const name = request.stream.definition.name;
        jobs.push(`${name} ${request.window!.start.slice(8, 10)}`);
        return (async function* () {
          // A's first window downloads until B's first job has started.
          if (name === 'A' && request.window!.start === days(0)) await aMayFinish;
          yield { count: 1, objects: [{ Id: `${name}-${request.window!.start}` }] };
        })();
      },
    });
    const started = collect(runSync({
      streams: [stream('A'), stream('B')], bookmarks: new Map(), apis: new ReadApiRegistry([bulk, restApi(recordsReader([]))]), hooks, streamConcurrency: 1, jobSlots: 2,
      signal: new AbortController().signal,
    }));
    await vi.waitFor(() => expect(jobs).toContain('B 01'));
    await new Promise((r) => setTimeout(r, 20));
    // B's first job ran while A read; B does not read ahead before its turn.
    expect(jobs.filter((j) => j.startsWith('B'))).toEqual(['B 01']);
    finishA();
    const { events, error } = await started;
    expect(error).toBeUndefined();
    expect(jobs.filter((j) => j.startsWith('B'))).toEqual(['B 01', 'B 03']);
    const names = events.flatMap((e) => ('stream' in e ? [typeof e.stream === 'string' ? e.stream : e.stream.definition.name] : []));
    expect(names.lastIndexOf('A')).toBeLessThan(names.indexOf('B'));
    expect(summary(events, 'B')).toEqual(['STARTED', 'schema', 'RUNNING', 'records', `state:${days(2)}`, 'records', `state:${days(4)}`, 'COMPLETE']);
  });
});
