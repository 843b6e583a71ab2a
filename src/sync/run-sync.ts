/**
 * Runs a read: every selected stream, several at once, each window by window, and yields the
 * protocol-neutral events the protocol encoders turn into messages.
 *
 * Per stream: STARTED, RUNNING, then for each window its records followed by a STATE that covers
 * them, then COMPLETE. A stream that fails is reported (INCOMPLETE + error) and the others go on,
 * unless the failure is global (auth, quota, interruption, closed output), which stops the run
 * after the states already emitted.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { TapError, toTapError } from '../core/errors.js';
import type { SelectedStream } from '../catalog/types.js';
import { EventChannel } from './event-channel.js';
import type { RecordBatch, StreamBookmark, SyncEvent } from './events.js';
import { buildReadPlan, type ReadPlan } from './read-plan.js';
import { readChangeEvents, type ChangeEventSettings } from './change-events/read-change-events.js';

/** A half-open range on the replication key: `start <= key < end`, ISO-8601 UTC. */
export interface SyncWindow {
  start: string;
  end: string;
}

export type ReadApi = 'bulk' | 'rest';

export interface ReadRequest {
  stream: SelectedStream;
  plan: ReadPlan;
  api: ReadApi;
  /** Absent for full-table reads. */
  window?: SyncWindow;
  signal: AbortSignal;
  /** Rows the server says this read will return, as soon as it knows. */
  onEstimate(rows: number): void;
}

/** Reads one window of one stream through one API. */
export type WindowReader = (request: ReadRequest) => AsyncIterable<RecordBatch>;

/** What to do when reading a window failed. */
export type FailureAction =
  /** Bulk cannot serve this stream (INVALIDENTITY, unsupported fields): read it through REST. */
  | 'use_rest'
  /** The window was too big (timeouts, size): halve it and retry. */
  | 'shrink_window'
  /**
   * Give up on this stream. The others go on, unless the error's kind is global (auth, quota,
   * interruption, closed output).
   */
  | 'fail';

export interface SyncPlanHooks {
  /** Windows from the bookmark (minus lookback) or start date up to the sync start. */
  planWindows(stream: SelectedStream, bookmark: StreamBookmark | undefined, syncStart: Date): SyncWindow[] | Promise<SyncWindow[]>;
  /** The two halves of a window, or undefined when it cannot be split further. */
  splitWindow(window: SyncWindow): [SyncWindow, SyncWindow] | undefined;
  classifyFailure(error: TapError, api: ReadApi): FailureAction;
  /** Throws a quota TapError when no new work may start. */
  checkQuota(): Promise<void>;
  /** How many rows the stream has in the range (undefined: all), or undefined if it cannot tell. */
  countRows?(stream: SelectedStream, range: SyncWindow | undefined, signal: AbortSignal): Promise<number | undefined>;
}

export interface RunSyncOptions {
  streams: SelectedStream[];
  bookmarks: ReadonlyMap<string, StreamBookmark>;
  read: Record<ReadApi, WindowReader>;
  hooks: SyncPlanHooks;
  streamConcurrency: number;
  /**
   * `auto`: Bulk API 2.0 where it can serve the stream, REST otherwise. `rest`: REST only.
   * `bulk`: Bulk even when selected fields need REST (those fields are left out, with a warning).
   */
  api?: 'auto' | 'bulk' | 'rest';
  signal: AbortSignal;
  /** The moment the sync started; no window ends later. */
  syncStart?: Date;
  /** How LOG_BASED streams read change events (absent: such streams fail). */
  changeEvents?: ChangeEventSettings | undefined;
}

/** Failures no other stream can get past. */
const GLOBAL_KINDS = new Set(['auth', 'quota', 'interrupted', 'output_closed']);

/**
 * How far extraction may run ahead of the output, in bytes: a slow target holds this much of
 * records however wide they are (a 1M-row read of 60 columns piped into `cat` peaked at 130 MB
 * RSS with 10,000 records ahead, about 23 MB, and peaks at 115 MB with this, at the same speed).
 */
const OUTPUT_AHEAD_BYTES = 8 * 1024 * 1024;
/** What an object record is taken to weigh per field, and at least (other events weigh the least). */
const OBJECT_FIELD_BYTES = 32;
const MIN_EVENT_BYTES = 256;

/** Bulk batches weigh their JSON; object batches (REST, joined parts) an estimate from their width. */
export function weighEvent(event: SyncEvent): number {
  if (event.kind !== 'records') return MIN_EVENT_BYTES;
  const { batch } = event;
  if (batch.json) return Math.max(MIN_EVENT_BYTES, batch.json.length);
  const first = batch.objects?.[0];
  return batch.count * Math.max(MIN_EVENT_BYTES, first ? OBJECT_FIELD_BYTES * Object.keys(first).length : 0);
}

export function runSync(options: RunSyncOptions): AsyncIterable<SyncEvent> {
  const channel = new EventChannel<SyncEvent>(OUTPUT_AHEAD_BYTES, weighEvent);
  const syncStart = options.syncStart ?? new Date();
  const abort = new AbortController();
  const signal = AbortSignal.any([options.signal, abort.signal]);
  // Every request of every stream listens on it: many listeners are expected.
  setMaxListeners(0, signal);
  const queue = new PQueue({ concurrency: Math.max(1, options.streamConcurrency) });
  let globalFailure: TapError | undefined;

  const emit = (event: SyncEvent) => channel.push(event);

  const runStream = async (stream: SelectedStream) => {
    const name = stream.definition.name;
    if (globalFailure || signal.aborted) return;
    await emit({ kind: 'status', stream: name, status: 'STARTED' });
    try {
      await syncStream(stream, options.bookmarks.get(name), { ...options, signal, syncStart, emit });
      await emit({ kind: 'status', stream: name, status: 'COMPLETE' });
    } catch (thrown) {
      const error = signal.aborted && !(thrown instanceof TapError) ? interruption() : toTapError(thrown);
      await emit({ kind: 'status', stream: name, status: 'INCOMPLETE' });
      if (GLOBAL_KINDS.has(error.kind)) {
        globalFailure ??= error;
        abort.abort(error);
      } else {
        await emit({ kind: 'error', stream: name, error });
      }
    }
  };

  void (async () => {
    try {
      await Promise.all(options.streams.map((stream) => queue.add(() => runStream(stream))));
      if (globalFailure) channel.fail(globalFailure);
      else if (options.signal.aborted) channel.fail(interruption());
      else channel.close();
    } catch (error) {
      channel.fail(error);
    }
  })();

  return channel;
}

/** The stream narrowed to some Ids (ids come from change events: checked before they reach SOQL). */
function withIdFilter(stream: SelectedStream, ids: string[]): SelectedStream {
  if (!ids.every((id) => /^[a-zA-Z0-9]{15,18}$/.test(id))) throw new TapError('TAP_PUBSUB_BAD_RECORD_ID', 'A change event named a record id that is not a Salesforce id.', { kind: 'salesforce' });
  const byId = `Id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
  const filter = stream.definition.filter ? `(${stream.definition.filter}) AND ${byId}` : byId;
  return { ...stream, definition: { ...stream.definition, filter } };
}

function interruption(): TapError {
  return new TapError('TAP_INTERRUPTED', 'The sync was interrupted; the last STATE emitted is where the next run resumes.', { kind: 'interrupted' });
}

interface StreamContext extends RunSyncOptions {
  signal: AbortSignal;
  syncStart: Date;
  emit(event: SyncEvent): Promise<void>;
}

async function syncStream(stream: SelectedStream, bookmark: StreamBookmark | undefined, ctx: StreamContext): Promise<void> {
  const name = stream.definition.name;
  let plan = buildReadPlan(stream);
  await ctx.emit({ kind: 'schema', stream });
  await ctx.emit({ kind: 'status', stream: name, status: 'RUNNING' });

  let api: ReadApi = ctx.api === 'rest' || !stream.definition.bulkSupported ? 'rest' : 'bulk';
  if (api === 'bulk' && plan.bulkUnselectable.length > 0) {
    if (ctx.api === 'bulk') {
      await ctx.emit({ kind: 'log', level: 'warn', message: `${name}: Bulk API 2.0 cannot return ${plan.bulkUnselectable.join(', ')}; they are left out because \`api\` is \`bulk\`` });
      plan = buildReadPlan({ ...stream, fields: stream.fields.filter((f) => !plan.bulkUnselectable.includes(f)) });
    } else {
      api = 'rest';
      await ctx.emit({ kind: 'log', level: 'info', message: `${name}: reading through REST because Bulk API 2.0 cannot return ${plan.bulkUnselectable.join(', ')}` });
    }
  }

  // A count of the whole range up front is the estimate; without one, windows add theirs as they go.
  let counted = false;
  const estimateAll = async (range: SyncWindow | undefined) => {
    const rows = await ctx.hooks.countRows?.(stream, range, ctx.signal);
    if (rows === undefined) return;
    counted = true;
    await ctx.emit({ kind: 'estimate', stream: name, rows });
  };
  let estimated = 0;
  const readWindow = async (window: SyncWindow | undefined, carry: Partial<StreamBookmark> = {}): Promise<void> => {
    for (;;) {
      await ctx.hooks.checkQuota();
      try {
        let windowEstimate = 0;
        const request: ReadRequest = {
          stream, plan, api, signal: ctx.signal,
          ...(window ? { window } : {}),
          onEstimate: (rows) => {
            windowEstimate = rows;
            if (counted) return;
            // Not awaited: estimates are advisory and must not hold up the reader.
            ctx.emit({ kind: 'estimate', stream: name, rows: estimated + rows }).catch(() => undefined);
          },
        };
        for await (const batch of ctx.read[api](request)) {
          if (batch.count > 0) await ctx.emit({ kind: 'records', stream: name, batch });
        }
        estimated += windowEstimate;
        // The window's records are all out: checkpoint its end.
        if (window) await ctx.emit({ kind: 'state', stream: name, bookmark: { replicationKey: stream.replicationKey, value: window.end, ...carry } });
        return;
      } catch (thrown) {
        if (ctx.signal.aborted) throw thrown;
        const error = toTapError(thrown);
        const action = ctx.hooks.classifyFailure(error, api);
        if (action === 'use_rest' && api === 'bulk') {
          api = 'rest';
          await ctx.emit({ kind: 'log', level: 'warn', message: `${name}: Bulk API 2.0 refused the job (${error.code}: ${error.message}); reading through REST instead` });
          continue;
        }
        if (action === 'shrink_window' && window) {
          const halves = ctx.hooks.splitWindow(window);
          if (halves) {
            await ctx.emit({ kind: 'log', level: 'warn', message: `${name}: window ${window.start} – ${window.end} failed (${error.code}); retrying it in two halves` });
            await readWindow(halves[0], carry);
            await readWindow(halves[1], carry);
            return;
          }
        }
        throw error;
      }
    }
  };

  if (stream.method === 'LOG_BASED') {
    if (!ctx.changeEvents) throw new TapError('TAP_CDC_UNAVAILABLE', `${name}: change events cannot be read in this run.`, { kind: 'config' });
    await readChangeEvents(
      {
        stream,
        bookmark,
        signal: ctx.signal,
        emit: ctx.emit,
        planWindows: async (from, until) => ctx.hooks.planWindows(stream, from, until),
        readWindow,
        reread: async (ids) => {
          let count = 0;
          const request: ReadRequest = { stream: withIdFilter(stream, ids), plan, api: 'rest', signal: ctx.signal, onEstimate: () => undefined };
          for await (const batch of ctx.read.rest(request)) {
            count += batch.count;
            if (batch.count > 0) await ctx.emit({ kind: 'records', stream: name, batch });
          }
          return count;
        },
      },
      ctx.changeEvents,
    );
    return;
  }

  if (stream.method === 'INCREMENTAL' && stream.replicationKey) {
    const windows = await ctx.hooks.planWindows(stream, bookmark, ctx.syncStart);
    if (windows.length > 0) await estimateAll({ start: windows[0]!.start, end: windows.at(-1)!.end });
    for (const window of windows) await readWindow(window);
    if (windows.length === 0) {
      // Nothing to read (e.g. a bookmark at or past the sync start): still checkpoint.
      await ctx.emit({ kind: 'state', stream: name, bookmark: bookmark ?? { replicationKey: stream.replicationKey } });
    }
  } else {
    await estimateAll(undefined);
    await readWindow(undefined);
    await ctx.emit({ kind: 'state', stream: name, bookmark: { complete: true } });
  }
}
