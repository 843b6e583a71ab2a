/**
 * The engine's side of a mode's read (its `ModeContext`): each range through the stream's API,
 * moving to the API's fallback when it refuses the job; windows with few rows through the API's
 * small-read partner (REST, batched); the next windows' jobs started ahead, each holding one of
 * the run's job slots until its records are downloaded; the stream's row estimate kept current.
 */
import type { SelectedStream } from '../catalog/types.js';
import { toTapError } from '../core/errors.js';
import type { RecordBatch, SyncEvent } from './events.js';
import type { ApiChoice, ReadApi, ReadApiRegistry, ReadRequest, SyncWindow } from './read-apis.js';
import { ShrinkRange, type ModeContext, type SyncPlanHooks } from './read-modes.js';

/** Bulk jobs open at once across the run; started-ahead reads only take a free one. */
export class JobSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = Math.max(1, count);
  }

  tryAcquire(): boolean {
    if (this.#free === 0) return false;
    this.#free -= 1;
    return true;
  }

  async acquire(signal: AbortSignal): Promise<void> {
    while (!this.tryAcquire()) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.#waiting.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  release(): void {
    this.#free += 1;
    this.#waiting.shift()?.();
  }
}

export interface RangeReaderOptions {
  apis: ReadApiRegistry;
  hooks: SyncPlanHooks;
  signal: AbortSignal;
  syncStart: Date;
  slots: JobSlots;
  /** Windows of at most this many rows (or not counted) go to the API's small-read partner; 0: never. */
  smallReadRows: number;
  /** Start the next ranges' reads ahead (`prefetch`); off: one read at a time. */
  lookahead: boolean;
  emit(event: SyncEvent): Promise<void>;
}

interface Started {
  api: string;
  records: Promise<AsyncIterable<RecordBatch>>;
  /** Gives the slot back when the read is dropped unread. */
  drop(): void;
}

const key = (range: SyncWindow) => `${range.start}/${range.end}`;

/** Yields the records of a started read, then gives its slot back (also when the reader stops early or fails). */
async function* releasing(records: Promise<AsyncIterable<RecordBatch>>, release: () => void): AsyncIterable<RecordBatch> {
  try {
    yield* await records;
  } finally {
    release();
  }
}

export function createRangeReader(stream: SelectedStream, choice: ApiChoice, options: RangeReaderOptions): ModeContext & { close(): void } {
  const name = stream.definition.name;
  const { apis, hooks, signal } = options;
  let api = choice.api;
  const started = new Map<string, Started>();
  let holdsSlot = false;
  // A count of the whole range up front is the estimate; without one, ranges add theirs as they go.
  let counted = false;
  let estimated = 0;

  const request = (range: SyncWindow | undefined, via: ReadApi, onEstimate: (rows: number) => void, maxRows?: number): ReadRequest => ({
    stream, plan: choice.plan, api: via.id, signal, onEstimate, ...(range ? { window: range } : {}), ...(maxRows !== undefined ? { maxRows } : {}),
  });

  /** Starts a Bulk-style read holding a slot; the slot is given back once its records are read or it is dropped. */
  const start = (range: SyncWindow, via: ReadApi, onEstimate: (rows: number) => void): Started => {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      options.slots.release();
    };
    const records = via.prepare!(request(range, via, onEstimate));
    // Failures surface when the window is read; a read dropped unread must not be an unhandled rejection.
    records.catch(() => undefined);
    return { api: via.id, records: Promise.resolve(releasing(records, release)), drop: release };
  };

  const smallApi = (range: SyncWindow | undefined): ReadApi | undefined => {
    if (!range || options.smallReadRows <= 0 || !api.smallReads || !apis.has(api.smallReads)) return undefined;
    if (range.rows !== undefined && range.rows > options.smallReadRows) return undefined;
    return apis.get(api.smallReads);
  };

  /** Ranges the mode reads next; their reads start once this stream's current read holds a slot. */
  let ahead: readonly SyncWindow[] = [];
  const startAhead = () => {
    // Only while the current read holds a slot: a stream waiting for one never blocks others with its look-ahead.
    if (!options.lookahead || !holdsSlot || !api.prepare) return;
    for (const range of ahead) {
      if (started.has(key(range)) || smallApi(range)) continue;
      if (!options.slots.tryAcquire()) return;
      started.set(key(range), start(range, api, () => undefined));
    }
  };

  return {
    stream, hooks, signal, syncStart: options.syncStart,
    log: (level, message) => options.emit({ kind: 'log', level, message }),
    async estimate(range, rows) {
      const total = rows ?? (await hooks.countRows?.(stream, range, signal));
      if (total === undefined) return;
      counted = true;
      await options.emit({ kind: 'estimate', stream: name, rows: total });
    },
    prefetch(ranges) {
      ahead = ranges;
      startAhead();
    },
    async *read(range) {
      let small = smallApi(range);
      for (;;) {
        await hooks.checkQuota();
        const via = small ?? api;
        try {
          let rangeEstimate = 0;
          const onEstimate = (rows: number) => {
            rangeEstimate = rows;
            if (counted) return;
            // Not awaited: estimates are advisory and must not hold up the reader.
            options.emit({ kind: 'estimate', stream: name, rows: estimated + rows }).catch(() => undefined);
          };
          const early = range ? started.get(key(range)) : undefined;
          if (range) started.delete(key(range));
          if (early && early.api !== via.id) early.drop();
          if (early && early.api === via.id) {
            holdsSlot = true;
            startAhead();
            yield* await early.records;
          } else if (range && via.prepare) {
            await options.slots.acquire(signal);
            holdsSlot = true;
            const fresh = start(range, via, onEstimate);
            startAhead();
            yield* await fresh.records;
          } else {
            // A small read that learns the window is bigger stops before its first record.
            yield* via.read(request(range, via, onEstimate, small && range?.rows === undefined ? options.smallReadRows : undefined));
          }
          holdsSlot = false;
          estimated += rangeEstimate;
          return;
        } catch (thrown) {
          holdsSlot = false;
          if (signal.aborted) throw thrown;
          const error = toTapError(thrown);
          if (small && error.code === 'TAP_TOO_MANY_ROWS') {
            small = undefined;
            continue;
          }
          const action = hooks.classifyFailure(error, via.id);
          const fallback = action === 'fall_back' ? apis.fallbackOf(via.id) : undefined;
          if (fallback) {
            await options.emit({ kind: 'log', level: 'warn', message: `${name}: ${via.label} refused the job (${error.code}: ${error.message}); reading through ${fallback.label} instead` });
            if (!small) api = fallback;
            small = undefined;
            continue;
          }
          if (action === 'shrink_window' && range) throw new ShrinkRange(error);
          throw error;
        }
      }
    },
    close() {
      for (const read of started.values()) read.drop();
      started.clear();
    },
  };
}
