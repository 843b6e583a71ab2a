/**
 * The engine's side of a mode's read (its `ModeContext`): each range through the stream's API,
 * moving to the API's fallback when it refuses the job; windows with few rows through the API's
 * small-read partner (REST, batched); the next windows' jobs started ahead, each holding one of
 * the run's job slots until Salesforce has run it; the stream's row estimate kept current.
 */
import type { SelectedStream } from '../catalog/types.js';
import { toTapError } from '../core/errors.js';
import type { RecordBatch, SyncEvent } from './events.js';
import type { ApiChoice, ReadApi, ReadApiRegistry, ReadRequest, SyncWindow } from './read-apis.js';
import { ShrinkRange, type ModeContext, type SyncPlanHooks } from './read-modes.js';
import { unlessStopped, untilTurn, type Turn } from './stream-turns.js';

/**
 * Bulk jobs Salesforce runs at once for this run: a slot is held from a job's creation until it
 * is done, not while its results download, so the next jobs run on Salesforce meanwhile. A
 * stream reads ahead only with slots no one else is owed: none while a stream waits for one, nor
 * the one a stream that has not started its first job will ask for. A stream still waiting for
 * its turn to read is owed nothing: it starts its first job only with such a spare slot.
 */
export class JobSlots {
  #free: number;
  readonly #waiting: { grant(): void }[] = [];
  /** Streams with their turn that have not taken their first slot yet. */
  #fresh = 0;
  /** Streams that look ahead again when a slot comes free. */
  readonly #onFree = new Set<() => void>();

  constructor(count: number) {
    this.#free = Math.max(1, count);
  }

  /** A stream's hold on the slots; `onFree` is called whenever a slot comes free; `turn`: absent, the stream reads now. */
  forStream(onFree?: () => void, turn?: Turn): StreamSlots {
    let fresh = false;
    let settled = false;
    const owe = () => {
      if (settled || fresh) return;
      fresh = true;
      this.#fresh += 1;
    };
    const settle = () => {
      if (fresh) this.#fresh -= 1;
      fresh = false;
      settled = true;
    };
    if (!turn || turn.granted) owe();
    else void turn.ready.then(owe);
    if (onFree) this.#onFree.add(onFree);
    const spare = () => {
      if (this.#free <= this.#waiting.length + this.#fresh) return false;
      this.#free -= 1;
      return true;
    };
    return {
      acquire: async (signal) => {
        if (turn && !turn.granted && (await this.#spareBeforeTurn(spare, turn, signal))) return settle();
        settle();
        await this.#acquire(signal);
      },
      tryAcquireAhead: spare,
      release: () => this.#release(),
      pass: settle,
      close: () => {
        settle();
        if (onFree) this.#onFree.delete(onFree);
      },
    };
  }

  /** Waits for a spare slot (true) or the turn (false), whichever comes first. */
  async #spareBeforeTurn(spare: () => boolean, turn: Turn, signal: AbortSignal): Promise<boolean> {
    while (!turn.granted) {
      signal.throwIfAborted();
      if (spare()) return true;
      let wake!: () => void;
      const freed = new Promise<void>((resolve) => (wake = resolve));
      this.#onFree.add(wake);
      try {
        await unlessStopped(Promise.race([freed, turn.ready]), signal);
      } finally {
        this.#onFree.delete(wake);
      }
    }
    return false;
  }

  async #acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#free > 0) {
      this.#free -= 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', abort);
          resolve();
        },
      };
      const abort = () => {
        this.#waiting.splice(this.#waiting.indexOf(entry), 1);
        reject(signal.reason);
      };
      this.#waiting.push(entry);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** A freed slot goes straight to the first stream waiting; with none waiting, streams may read ahead with it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) return next.grant();
    this.#free += 1;
    for (const onFree of [...this.#onFree]) onFree();
  }
}

/** One stream's hold on the run's job slots. */
export interface StreamSlots {
  /** A slot for the stream's next job; waits for one (before the stream's turn: for a spare one, or the turn). */
  acquire(signal: AbortSignal): Promise<void>;
  /** A slot for a window ahead, only when no stream is owed it. */
  tryAcquireAhead(): boolean;
  release(): void;
  /** The stream reads without a Bulk job: it is owed no slot. */
  pass(): void;
  /** The stream ended. */
  close(): void;
}

export interface RangeReaderOptions {
  apis: ReadApiRegistry;
  hooks: SyncPlanHooks;
  signal: AbortSignal;
  syncStart: Date;
  slots: JobSlots;
  /** The stream's turn to download and emit; absent: it has it. */
  turn?: Turn | undefined;
  /** Windows of at most this many rows (or not counted) go to the API's small-read partner; 0: never. */
  smallReadRows: number;
  /** Start the next ranges' reads ahead (`prefetch`); off: one read at a time. */
  lookahead: boolean;
  emit(event: SyncEvent): Promise<void>;
}

interface Started {
  api: string;
  records: Promise<AsyncIterable<RecordBatch>>;
  /** Gives the slot back when the read is dropped before its job is done. */
  drop(): void;
}

const key = (range: SyncWindow) => `${range.start}/${range.end}`;

/** Windows of a stream whose jobs may run ahead of the one it reads. */
const READ_AHEAD = 2;

export function createRangeReader(stream: SelectedStream, choice: ApiChoice, options: RangeReaderOptions): ModeContext & { close(): void } {
  const name = stream.definition.name;
  const { apis, hooks, signal } = options;
  let api = choice.api;
  const started = new Map<string, Started>();
  // Set once the window read now has its job: windows ahead start only after it.
  let currentStarted = false;
  const { turn } = options;
  const slots = options.slots.forStream(() => startAhead(), turn);
  // A count of the whole range up front is the estimate; without one, ranges add theirs as they go.
  let counted = false;
  let estimated = 0;

  const request = (range: SyncWindow | undefined, via: ReadApi, onEstimate: (rows: number) => void, maxRows?: number): ReadRequest => ({
    stream, plan: choice.plan, api: via.id, signal, onEstimate, ...(range ? { window: range } : {}), ...(maxRows !== undefined ? { maxRows } : {}),
  });

  /** Starts a Bulk-style read holding a slot until its job is done (or failed), or the read is dropped. */
  const start = (range: SyncWindow, via: ReadApi, onEstimate: (rows: number) => void): Started => {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      slots.release();
    };
    const records = via.prepare!(request(range, via, onEstimate));
    // Also keeps a read dropped unread from being an unhandled rejection: its failure surfaces when it is read.
    records.then(release, release);
    return { api: via.id, records, drop: release };
  };

  const smallApi = (range: SyncWindow | undefined): ReadApi | undefined => {
    if (!range || options.smallReadRows <= 0 || !api.smallReads || !apis.has(api.smallReads)) return undefined;
    if (range.rows !== undefined && range.rows > options.smallReadRows) return undefined;
    return apis.get(api.smallReads);
  };

  /** Ranges the mode reads next; up to READ_AHEAD of them start once the current one has its job. */
  let ahead: readonly SyncWindow[] = [];
  function startAhead(): void {
    if (!options.lookahead || !currentStarted || !api.prepare || signal.aborted || (turn && !turn.granted)) return;
    for (const range of ahead) {
      if (started.size >= READ_AHEAD) return;
      if (started.has(key(range)) || smallApi(range)) continue;
      if (!slots.tryAcquireAhead()) return;
      started.set(key(range), start(range, api, () => undefined));
    }
  }

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
            currentStarted = true;
            startAhead();
            yield* await early.records;
          } else if (range && via.prepare) {
            await slots.acquire(signal);
            const fresh = start(range, via, onEstimate);
            currentStarted = true;
            startAhead();
            const records = await fresh.records;
            await untilTurn(turn, signal);
            startAhead();
            yield* records;
          } else {
            slots.pass();
            await untilTurn(turn, signal);
            // A small read that learns the window is bigger stops before its first record.
            yield* via.read(request(range, via, onEstimate, small && range?.rows === undefined ? options.smallReadRows : undefined));
          }
          currentStarted = false;
          estimated += rangeEstimate;
          return;
        } catch (thrown) {
          currentStarted = false;
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
      slots.close();
    },
  };
}
