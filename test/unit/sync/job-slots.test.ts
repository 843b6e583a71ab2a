import { describe, expect, it } from 'vitest';
import { JobSlots } from '../../../src/sync/range-reader.js';

const signal = new AbortController().signal;

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
});
