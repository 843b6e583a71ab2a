import { describe, expect, it } from 'vitest';
import { EventChannel } from '../../../src/sync/event-channel.js';

async function collect<T>(channel: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of channel) out.push(v);
  return out;
}

describe('EventChannel', () => {
  it('delivers every event of concurrent producers, each producer in its own order', async () => {
    const channel = new EventChannel<string>(3);
    const producer = async (name: string) => {
      for (let i = 0; i < 50; i += 1) await channel.push(`${name}${i}`);
    };
    const consumed = collect(channel);
    await Promise.all([producer('a'), producer('b'), producer('c')]);
    channel.close();
    const events = await consumed;
    expect(events).toHaveLength(150);
    for (const name of ['a', 'b', 'c']) {
      expect(events.filter((e) => e.startsWith(name))).toEqual(Array.from({ length: 50 }, (_, i) => `${name}${i}`));
    }
  });

  it('holds producers back while the consumer is `capacity` events behind', async () => {
    const channel = new EventChannel<number>(2);
    let pushed = 0;
    const producing = (async () => {
      for (let i = 0; i < 5; i += 1) {
        await channel.push(i);
        pushed += 1;
      }
    })();
    await new Promise((r) => setImmediate(r));
    expect(pushed).toBe(2);
    const iterator = channel[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(pushed).toBe(3);
    channel.close();
    await producing.catch(() => undefined);
  });

  it('ends the consumer with the failure after draining buffered events', async () => {
    const channel = new EventChannel<number>(4);
    await channel.push(1);
    channel.fail(new Error('boom'));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of channel) seen.push(v);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
  });

  it('weighs events: producers wait while the buffered weight is at capacity, and a heavy event passes alone', async () => {
    const channel = new EventChannel<number>(10, (n) => n);
    const pushed: number[] = [];
    const producing = (async () => {
      for (const n of [4, 4, 4, 25, 1]) {
        await channel.push(n);
        pushed.push(n);
      }
      channel.close();
    })();
    await new Promise((r) => setTimeout(r, 10));
    // 4 + 4 fit in 10; the third 4 waits.
    expect(pushed).toEqual([4, 4]);
    const consumed: number[] = [];
    for await (const n of channel) {
      consumed.push(n);
      await new Promise((r) => setTimeout(r, 1));
    }
    await producing;
    expect(consumed).toEqual([4, 4, 4, 25, 1]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new EventChannel(0)).toThrow('Expected `capacity` to be a positive integer, got `0`');
  });
});
