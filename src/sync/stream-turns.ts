/**
 * Turns to read: `stream_concurrency` streams download and emit at once, granted in the order
 * they asked. A stream waiting for its turn may already plan and start its first Bulk job (with
 * a job slot nobody else is owed), so the job has run on Salesforce by the time its turn comes;
 * what it would emit meanwhile is held and goes out, in order, when its turn comes.
 */
import type { SyncEvent } from './events.js';

export interface Turn {
  /** True once the stream may download and emit. */
  readonly granted: boolean;
  /** Resolves when the turn is granted; never rejects. */
  readonly ready: Promise<void>;
  /** Gives the turn back, or withdraws the request if it was not granted yet. */
  release(): void;
}

/** Resolves when `promise` does; rejects with the signal's reason if the read is stopped first. */
export async function unlessStopped(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race([promise, stopped]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  signal.throwIfAborted();
}

/** Resolves when `turn` (if any) is granted; rejects if the read is stopped first. */
export async function untilTurn(turn: Turn | undefined, signal: AbortSignal): Promise<void> {
  if (turn && !turn.granted) await unlessStopped(turn.ready, signal);
}

export class Turns {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = Math.max(1, count);
  }

  request(): Turn {
    let granted = false;
    let done = false;
    let grant!: () => void;
    const ready = new Promise<void>((resolve) => {
      grant = () => {
        granted = true;
        resolve();
      };
    });
    if (this.#free > 0) {
      this.#free -= 1;
      grant();
    } else this.#waiting.push(grant);
    return {
      get granted() {
        return granted;
      },
      ready,
      release: () => {
        if (done) return;
        done = true;
        if (!granted) {
          this.#waiting.splice(this.#waiting.indexOf(grant), 1);
          return;
        }
        const next = this.#waiting.shift();
        if (next) next();
        else this.#free += 1;
      },
    };
  }
}

/**
 * A stream's output while it waits for its turn: held in order, then passed on at the turn (or
 * when the stream ends first, e.g. with every window counted empty), and direct from then on.
 * Dropped when the run stops before the turn: such a stream says nothing, as one never started.
 */
export class HeldOutput {
  readonly #emit: (event: SyncEvent) => Promise<void>;
  #held: SyncEvent[] | undefined = [];
  #dropped = false;
  #failure: unknown;
  #flushing: Promise<void> | undefined;

  constructor(emit: (event: SyncEvent) => Promise<void>, turn: Turn, signal: AbortSignal) {
    this.#emit = emit;
    if (turn.granted) {
      this.#held = undefined;
      return;
    }
    const stop = () => {
      if (!turn.granted) this.#drop();
    };
    signal.addEventListener('abort', stop, { once: true });
    // A failed flush (the output closed) reaches the stream through its next emit or flush.
    void turn.ready
      .then(() => {
        signal.removeEventListener('abort', stop);
        return this.flush();
      })
      .catch(() => undefined);
  }

  readonly emit = async (event: SyncEvent): Promise<void> => {
    if (this.#dropped) return;
    if (this.#failure) throw this.#failure;
    if (!this.#held) return this.#emit(event);
    this.#held.push(event);
  };

  /** Passes the held events on; later events go straight out once they are. */
  flush(): Promise<void> {
    this.#flushing ??= (async () => {
      try {
        while (this.#held && this.#held.length > 0) await this.#emit(this.#held.shift()!);
        this.#held = undefined;
      } catch (error) {
        // The output is gone: the stream's next emit fails too, instead of holding all it reads.
        this.#failure = error;
        throw error;
      }
    })();
    return this.#flushing;
  }

  #drop(): void {
    this.#dropped = true;
    this.#held = [];
  }
}
