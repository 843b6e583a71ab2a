import { setTimeout as wait } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RecordBatch } from '../../../src/sync/events.js';
import { DownloadConnections, mergeConcurrently } from '../../../src/sync/download-connections.js';

const batch = (n: number): RecordBatch => ({ count: 1, lines: `${n}\n` }) as unknown as RecordBatch;

/** `files` producers of `rows` batches each, `delayMs` apart; counts how many run at once. */
function slowFiles(files: number, rows: number, delayMs: number) {
  const seen = { running: 0, most: 0 };
  const producers = Array.from({ length: files }, (_, f) => async function* () {
    seen.running += 1;
    seen.most = Math.max(seen.most, seen.running);
    try {
      for (let r = 0; r < rows; r += 1) {
        await wait(delayMs);
        yield batch(f * rows + r);
      }
    } finally {
      seen.running -= 1;
    }
  });
  return { producers, seen };
}

async function drain(batches: AsyncIterable<RecordBatch>): Promise<number> {
  let n = 0;
  for await (const _ of batches) n += 1;
  return n;
}

describe('mergeConcurrently', () => {
  it('opens more connections while the tap is idle, up to the run budget, and gives them all back', async () => {
    const { producers, seen } = slowFiles(10, 20, 5);
    const connections = new DownloadConnections(6);
    const got = await drain(mergeConcurrently(producers, { concurrency: 2, connections, utilization: () => 0.1, growEveryMs: 5 }));
    expect(got).toBe(200);
    expect(seen.most).toBe(6);
    expect(connections.open).toBe(0);
  });

  it('keeps its own connections only while the tap is busy', async () => {
    const { producers, seen } = slowFiles(10, 10, 2);
    const connections = new DownloadConnections(12);
    expect(await drain(mergeConcurrently(producers, { concurrency: 3, connections, utilization: () => 0.95, growEveryMs: 2 }))).toBe(100);
    expect(seen.most).toBe(3);
  });

  it('takes no extra connection that other downloads hold', async () => {
    const connections = new DownloadConnections(4);
    connections.take();
    connections.take();
    connections.take();
    const { producers, seen } = slowFiles(6, 10, 3);
    expect(await drain(mergeConcurrently(producers, { concurrency: 1, connections, utilization: () => 0, growEveryMs: 2 }))).toBe(60);
    expect(seen.most).toBe(1);
    expect(connections.open).toBe(3);
  });

  it('ends the remaining producers when the consumer stops early', async () => {
    const { producers, seen } = slowFiles(4, 50, 1);
    const connections = new DownloadConnections(4);
    let n = 0;
    for await (const _ of mergeConcurrently(producers, { concurrency: 2, connections })) if (++n === 5) break;
    await wait(20);
    expect(seen.running).toBe(0);
    expect(connections.open).toBe(0);
  });

  it("passes a producer's failure to the consumer", async () => {
    const failing = async function* () {
      yield batch(1);
      throw new Error('connection reset');
    };
    await expect(drain(mergeConcurrently([failing, failing], { concurrency: 2 }))).rejects.toThrow('connection reset');
  });
});
