/**
 * Result downloads across the run share one budget of connections (`bulk_job_concurrency` ×
 * `result_page_concurrency`, the connections the tap is allowed to hold open). Each download
 * opens its own `result_page_concurrency` as always; one with more result files waiting takes
 * more from the budget while the tap mostly waits on the network, so the last big stream of a
 * run downloads over the whole budget instead of its quarter of it. While the tap is busy
 * (its event loop seldom idle) more connections would add memory and no speed, so none are added.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { RecordBatch } from './events.js';
import { EventChannel } from './event-channel.js';

/** How often a download looks whether it may open another connection. */
const GROW_EVERY_MS = 500;
/** Below this event-loop utilization the tap waits on the network more than it works. */
const IDLE_BELOW = 0.6;

export class DownloadConnections {
  #open = 0;

  constructor(readonly total: number) {}

  get open(): number {
    return this.#open;
  }

  /** A download's own connections: always granted (each running stream reads one window at a time). */
  take(): void {
    this.#open += 1;
  }

  /** A connection beyond the download's own, only while the budget has one free. */
  tryTakeExtra(): boolean {
    if (this.#open >= this.total) return false;
    this.#open += 1;
    return true;
  }

  give(): void {
    this.#open -= 1;
  }
}

export interface MergeOptions {
  /** Producers running from the start. */
  concurrency: number;
  /** The run's budget; absent: exactly `concurrency` at a time. */
  connections?: DownloadConnections | undefined;
  /** Event-loop utilization since the last look, and how often to look; injectable for tests. */
  utilization?: () => number;
  growEveryMs?: number;
}

/** Event-loop utilization since the previous call. */
function utilizationSampler(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/**
 * Runs producers `concurrency` at a time (more while the budget and an idle tap allow) and yields
 * their batches as they come: order within a window does not matter. A consumer that stops early
 * closes the channel, so producers still running end at their next batch.
 */
export async function* mergeConcurrently(producers: (() => AsyncIterable<RecordBatch>)[], options: MergeOptions): AsyncIterable<RecordBatch> {
  const { concurrency, connections } = options;
  const channel = new EventChannel<RecordBatch>(concurrency * 2);
  let next = 0;
  let running = 0;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const worker = async () => {
    running += 1;
    try {
      while (next < producers.length) {
        const producer = producers[next++]!;
        for await (const batch of producer()) await channel.push(batch);
      }
    } finally {
      running -= 1;
      connections?.give();
    }
  };
  const launch = () => {
    worker().then(
      () => {
        if (running === 0 && next >= producers.length) {
          finish();
          channel.close();
        }
      },
      (error: unknown) => {
        finish();
        channel.fail(error);
      },
    );
  };
  const initial = Math.min(concurrency, producers.length);
  for (let i = 0; i < initial; i += 1) {
    connections?.take();
    launch();
  }
  if (initial === 0) channel.close();
  if (connections && producers.length > initial) {
    const utilization = options.utilization ?? utilizationSampler();
    timer = setInterval(() => {
      if (next >= producers.length) return finish();
      if (utilization() < IDLE_BELOW && connections.tryTakeExtra()) launch();
    }, options.growEveryMs ?? GROW_EVERY_MS);
    timer.unref();
  }
  try {
    yield* channel;
  } finally {
    finish();
    channel.close();
  }
}
