import { describe, expect, it } from 'vitest';
import { JobSlots } from '../../../src/sync/range-reader.js';
import { Turns } from '../../../src/sync/stream-turns.js';

const signal = new AbortController().signal;

/** Two streams on 2 slots with turns for one: `a` reads now, `b` waits for its turn. */
function readingAndWaiting() {
  const slots = new JobSlots(2);
  const turns = new Turns(1);
  const turnA = turns.request();
  const turnB = turns.request();
  return { a: slots.forStream(undefined, turnA), b: slots.forStream(undefined, turnB), turnA, turnB };
}

describe('JobSlots', () => {
  it('lets a lone stream read ahead over every slot', async () => {
    const slots = new JobSlots(4);
    const a = slots.forStream();
    await a.acquire(signal);
    expect([a.tryAcquireAhead(), a.tryAcquireAhead(), a.tryAcquireAhead(), a.tryAcquireAhead()]).toEqual([true, true, true, false]);
  });

  it('keeps a slot for each running stream that has not started its first job', async () => {
    const slots = new JobSlots(4);
    const [a, b, c, d] = [slots.forStream(), slots.forStream(), slots.forStream(), slots.forStream()];
    await a.acquire(signal);
    await b.acquire(signal);
    // c and d have not started their first job: the two free slots are theirs.
    expect(a.tryAcquireAhead()).toBe(false);
    await c.acquire(signal);
    expect(b.tryAcquireAhead()).toBe(false);
    // d reads without a Bulk job (a small REST read): its slot is free for look-ahead.
    d.pass();
    expect(b.tryAcquireAhead()).toBe(true);
    expect(a.tryAcquireAhead()).toBe(false);
  });

  it('hands a freed slot to the stream waiting for one, not to a look-ahead', async () => {
    const slots = new JobSlots(1);
    const a = slots.forStream();
    const b = slots.forStream();
    await a.acquire(signal);
    let bHolds = false;
    const waiting = b.acquire(signal).then(() => (bHolds = true));
    a.release();
    expect(a.tryAcquireAhead()).toBe(false);
    await waiting;
    expect(bHolds).toBe(true);
  });

  it('tells streams when a slot comes free, so they start their next windows then', async () => {
    const slots = new JobSlots(2);
    const freed: string[] = [];
    const a = slots.forStream(() => freed.push('a'));
    const b = slots.forStream(() => freed.push('b'));
    await a.acquire(signal);
    await b.acquire(signal);
    a.release();
    expect(freed).toEqual(['a', 'b']);
    b.close();
    a.release();
    expect(freed).toEqual(['a', 'b', 'a']);
  });

  it('stops waiting when the run is interrupted', async () => {
    const slots = new JobSlots(1);
    const a = slots.forStream();
    const b = slots.forStream();
    await a.acquire(signal);
    const stop = new AbortController();
    const waiting = b.acquire(stop.signal);
    stop.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    // The slot given back later is not handed to the stream that stopped waiting.
    a.release();
    expect(a.tryAcquireAhead()).toBe(true);
  });

  it('lets a stream waiting for its turn start its first job only with a slot nobody is owed', async () => {
    const { a, b } = readingAndWaiting();
    await a.acquire(signal);
    // One slot is free and nobody is owed it: the waiting stream takes it.
    await b.acquire(signal);
    b.release();
    // Held streams are owed nothing: a may read ahead with the freed slot.
    expect(a.tryAcquireAhead()).toBe(true);
    // Both slots are a's: b waits for one to come free.
    let bHolds = false;
    const waiting = b.acquire(signal).then(() => (bHolds = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(bHolds).toBe(false);
    a.release();
    await waiting;
    expect(bHolds).toBe(true);
    expect(a.tryAcquireAhead()).toBe(false);
  });

  it('owes a stream a slot once its turn comes', async () => {
    const { a, turnA, turnB } = readingAndWaiting();
    await a.acquire(signal);
    expect(a.tryAcquireAhead()).toBe(true);
    a.release();
    turnA.release();
    await turnB.ready;
    // b has its turn and has not started its first job: the free slot is kept for it.
    expect(a.tryAcquireAhead()).toBe(false);
  });
});
