/**
 * How a stream is read: its read mode. Each mode plans from its own bookmark type, reads its plan
 * as record batches interleaved with positions, and turns a position into the STATE bookmark
 * that covers every record before it. The engine (run-sync.ts) emits the batches and a STATE for
 * each position, in the order the mode yields them, so resume is exact by construction.
 *
 * Built in: `incremental-windows` (half-open windows on the replication key) and `full-table`.
 * The first mode in the list that `serves` a stream reads it.
 *
 * Adding a read mode (e.g. `change-events`), at most three files plus tests:
 *   1. `src/sync/modes/<mode>.ts`: a `ReadMode` with its bookmark type;
 *   2. `src/sync/modes/built-in.ts`: list it ahead of the modes it takes streams from;
 *   3. the protocol state codecs, when its bookmark holds more than a key value.
 */
import type { SelectedStream } from '../catalog/types.js';
import type { TapError } from '../core/errors.js';
import type { LogLevel, RecordBatch, StreamBookmark } from './events.js';
import type { SyncWindow } from './read-apis.js';

/** What to do when reading a range failed. */
export type FailureAction =
  /** The API cannot serve this stream (INVALIDENTITY, unsupported fields): use its fallback. */
  | 'fall_back'
  /** The window was too big (timeouts, size): halve it and retry. */
  | 'shrink_window'
  /**
   * Give up on this stream. The others go on, unless the error's kind is global (auth, quota,
   * interruption, closed output).
   */
  | 'fail';

/** The engine's hooks into the org: planning, counting, quota. */
export interface SyncPlanHooks {
  /** Windows from the bookmark (minus lookback) or start date up to the sync start. */
  planWindows(stream: SelectedStream, bookmark: StreamBookmark | undefined, syncStart: Date, signal: AbortSignal): SyncWindow[] | Promise<SyncWindow[]>;
  /** The two halves of a window, or undefined when it cannot be split further. */
  splitWindow(window: SyncWindow): [SyncWindow, SyncWindow] | undefined;
  classifyFailure(error: TapError, api: string): FailureAction;
  /** Throws a quota TapError when no new work may start. */
  checkQuota(): Promise<void>;
  /** How many rows the stream has in the range (undefined: all), or undefined if it cannot tell. */
  countRows?(stream: SelectedStream, range: SyncWindow | undefined, signal: AbortSignal): Promise<number | undefined>;
}

/** Thrown by `ModeContext.read` when the range should be read in smaller pieces. */
export class ShrinkRange extends Error {
  readonly error: TapError;

  constructor(error: TapError) {
    super(error.message);
    this.name = 'ShrinkRange';
    this.error = error;
  }
}

/** What a mode gets from the engine for one stream. */
export interface ModeContext {
  readonly stream: SelectedStream;
  readonly hooks: SyncPlanHooks;
  readonly signal: AbortSignal;
  readonly syncStart: Date;
  /**
   * The records of one range (undefined: the whole table) through the stream's read API, falling
   * back to the next API when one refuses. Throws `ShrinkRange` when the range was too big.
   */
  read(range: SyncWindow | undefined): AsyncIterable<RecordBatch>;
  /** The stream's expected row count over what the mode is about to read (undefined: all rows). */
  estimate(range: SyncWindow | undefined): Promise<void>;
  log(level: LogLevel, message: string): Promise<void>;
}

/** What a mode's read yields: records, or a position every record before which is out. */
export type ModeOutput<P> = { batch: RecordBatch } | { position: P };

export interface ReadMode<B = unknown, P = unknown> {
  readonly id: string;
  serves(stream: SelectedStream): boolean;
  /** This mode's bookmark from the stored one (undefined: none, or another mode's). */
  bookmark(stored: StreamBookmark | undefined, stream: SelectedStream): B | undefined;
  plan(bookmark: B | undefined, ctx: ModeContext): Promise<P>;
  read(plan: P, ctx: ModeContext): AsyncIterable<ModeOutput<B>>;
  /** The STATE bookmark for a position the read yielded. */
  checkpoint(position: B, stream: SelectedStream): StreamBookmark;
}

// Each mode is typed by its own bookmark and plan; the engine only passes them back to it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReadMode = ReadMode<any, any>;
