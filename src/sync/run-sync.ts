/**
 * Runs a read: every selected stream, several at once, each window by window, and yields the
 * protocol-neutral events the protocol encoders turn into messages.
 *
 * Per stream: STARTED, RUNNING, then what its read mode yields (records, each position as a STATE
 * that covers the records before it), then COMPLETE. The API serving each read comes from the
 * registry (read-apis.ts), the mode from the modes list (read-modes.ts). A stream that fails is reported (INCOMPLETE + error) and the others go on,
 * unless the failure is global (auth, quota, interruption, closed output), which stops the run
 * after the states already emitted.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { DEFAULTS } from '../core/defaults.js';
import { TapError, toTapError } from '../core/errors.js';
import type { SelectedStream } from '../catalog/types.js';
import { EventChannel } from './event-channel.js';
import type { StreamBookmark, SyncEvent } from './events.js';
import { BUILT_IN_READ_MODES, modeFor } from './modes/built-in.js';
import { createRangeReader, JobSlots } from './range-reader.js';
import type { ReadApiId, ReadApiRegistry } from './read-apis.js';
import { ShrinkRange, type AnyReadMode, type SyncPlanHooks } from './read-modes.js';
import { buildReadPlan } from './read-plan.js';
import { HeldOutput, Turns, type Turn } from './stream-turns.js';

export interface RunSyncOptions {
  streams: SelectedStream[];
  bookmarks: ReadonlyMap<string, StreamBookmark>;
  /** The APIs that can serve reads, in order of preference. */
  apis: ReadApiRegistry;
  hooks: SyncPlanHooks;
  streamConcurrency: number;
  /**
   * The API the user chose (`bulk`, `rest`...): used even when selected fields need another (those
   * fields are left out, with a warning). Undefined (`auto`): the preferred API that can serve
   * the stream.
   */
  api?: ReadApiId | undefined;
  /** The read modes, in order (default: the built-in ones). */
  modes?: readonly AnyReadMode[];
  signal: AbortSignal;
  /** The moment the sync started; no window ends later. */
  syncStart?: Date;
  /** Bulk jobs open at once across the run (`bulk_job_concurrency`), those started ahead included. */
  jobSlots?: number;
  /** Start the next windows' jobs while one downloads (default true). */
  lookahead?: boolean;
  /** Windows of at most this many rows, or not counted, are read through the API's small-read partner (REST, batched); 0 (default): never. */
  smallReadRows?: number;
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
  const streamConcurrency = Math.max(1, options.streamConcurrency);
  const jobSlots = options.jobSlots ?? DEFAULTS.bulkJobConcurrency;
  const slots = new JobSlots(jobSlots);
  // Beyond the streams that read, as many as there are job slots plan and start their first job
  // ahead of their turn, so a stream's turn does not begin with a job's latency.
  const headStarts = (options.lookahead ?? true) ? jobSlots : 0;
  const queue = new PQueue({ concurrency: streamConcurrency + headStarts });
  const turns = new Turns(streamConcurrency);
  let globalFailure: TapError | undefined;

  const runStream = async (stream: SelectedStream) => {
    const name = stream.definition.name;
    if (globalFailure || signal.aborted) return;
    const turn = turns.request();
    const output = new HeldOutput((event) => channel.push(event), turn, signal);
    const emit = output.emit;
    try {
      await emit({ kind: 'status', stream: name, status: 'STARTED' });
      await syncStream(stream, options.bookmarks.get(name), { ...options, signal, syncStart, emit, slots, turn });
      await emit({ kind: 'status', stream: name, status: 'COMPLETE' });
    } catch (thrown) {
      const cause = thrown instanceof ShrinkRange ? thrown.error : thrown;
      const error = signal.aborted && !(cause instanceof TapError) ? interruption() : toTapError(cause);
      if (GLOBAL_KINDS.has(error.kind)) {
        globalFailure ??= error;
        abort.abort(error);
      }
      await emit({ kind: 'status', stream: name, status: 'INCOMPLETE' });
      if (!GLOBAL_KINDS.has(error.kind)) await emit({ kind: 'error', stream: name, error });
    } finally {
      try {
        await output.flush();
      } finally {
        turn.release();
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

function interruption(): TapError {
  return new TapError('TAP_INTERRUPTED', 'The sync was interrupted; the last STATE emitted is where the next run resumes.', { kind: 'interrupted' });
}

interface StreamContext extends RunSyncOptions {
  signal: AbortSignal;
  syncStart: Date;
  slots: JobSlots;
  turn: Turn;
  emit(event: SyncEvent): Promise<void>;
}

async function syncStream(stream: SelectedStream, stored: StreamBookmark | undefined, ctx: StreamContext): Promise<void> {
  const name = stream.definition.name;
  await ctx.emit({ kind: 'schema', stream });
  await ctx.emit({ kind: 'status', stream: name, status: 'RUNNING' });
  const choice = ctx.apis.choose(stream, buildReadPlan(stream), ctx.api, (fields) => buildReadPlan({ ...stream, fields }));
  for (const note of choice.notes) await ctx.emit({ kind: 'log', level: note.level, message: note.message });

  const mode = modeFor(stream, ctx.modes ?? BUILT_IN_READ_MODES);
  const reader = createRangeReader(stream, choice, { ...ctx, smallReadRows: ctx.smallReadRows ?? 0, lookahead: ctx.lookahead ?? true });
  try {
    const plan: unknown = await mode.plan(mode.bookmark(stored, stream), reader);
    for await (const output of mode.read(plan, reader)) {
      if ('batch' in output) {
        if (output.batch.count > 0) await ctx.emit({ kind: 'records', stream: name, batch: output.batch });
      } else if ('tombstones' in output) {
        if (output.tombstones.length > 0) await ctx.emit({ kind: 'tombstones', stream: name, tombstones: output.tombstones });
      } else {
        await ctx.emit({ kind: 'state', stream: name, bookmark: mode.checkpoint(output.position, stream) });
      }
    }
  } finally {
    reader.close();
  }
}
