import { describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../../src/sync/events.js';
import { HeldOutput, Turns, untilTurn } from '../../../src/sync/stream-turns.js';

const log = (message: string): SyncEvent => ({ kind: 'log', level: 'info', message });
const messages = (events: SyncEvent[]) => events.map((e) => (e.kind === 'log' ? e.message : e.kind));

describe('Turns', () => {
  it('grants `count` turns at once, then one per turn given back, in the order they were asked for', async () => {
    const turns = new Turns(2);
    const [a, b, c, d] = [turns.request(), turns.request(), turns.request(), turns.request()];
    expect([a.granted, b.granted, c.granted, d.granted]).toEqual([true, true, false, false]);
    b.release();
    await c.ready;
    expect([c.granted, d.granted]).toEqual([true, false]);
    // A request withdrawn before its turn is skipped; releasing twice gives back one turn.
    d.release();
    const e = turns.request();
    a.release();
    a.release();
    await e.ready;
    expect(e.granted).toBe(true);
    expect(turns.request().granted).toBe(false);
  });

  it('stops waiting for a turn when the read is stopped', async () => {
    const turns = new Turns(1);
    turns.request();
    const stop = new AbortController();
    const waiting = untilTurn(turns.request(), stop.signal);
    stop.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
  });
});

describe('HeldOutput', () => {
  it('holds what a stream emits before its turn and passes it on, in order, when the turn comes', async () => {
    const turns = new Turns(1);
    const first = turns.request();
    const out: SyncEvent[] = [];
    const held = new HeldOutput(async (e) => void out.push(e), turns.request(), new AbortController().signal);
    await held.emit(log('one'));
    await held.emit(log('two'));
    expect(out).toEqual([]);
    first.release();
    await held.flush();
    await held.emit(log('three'));
    expect(messages(out)).toEqual(['one', 'two', 'three']);
  });

  it('passes everything straight on when the stream has its turn', async () => {
    const out: SyncEvent[] = [];
    const held = new HeldOutput(async (e) => void out.push(e), new Turns(1).request(), new AbortController().signal);
    await held.emit(log('now'));
    expect(messages(out)).toEqual(['now']);
  });

  it('passes the held events on when the stream ends before its turn', async () => {
    const turns = new Turns(1);
    turns.request();
    const out: SyncEvent[] = [];
    const held = new HeldOutput(async (e) => void out.push(e), turns.request(), new AbortController().signal);
    await held.emit(log('empty window checkpointed'));
    await held.flush();
    expect(messages(out)).toEqual(['empty window checkpointed']);
  });

  it('says nothing for a stream whose run stopped before its turn', async () => {
    const turns = new Turns(1);
    const first = turns.request();
    const stop = new AbortController();
    const out: SyncEvent[] = [];
    const held = new HeldOutput(async (e) => void out.push(e), turns.request(), stop.signal);
    await held.emit(log('started'));
    stop.abort(new Error('quota'));
    first.release();
    await held.emit(log('incomplete'));
    await held.flush();
    expect(out).toEqual([]);
  });

  it('fails the stream\'s next emit when the output is gone at its turn, instead of holding what it reads', async () => {
    const turns = new Turns(1);
    const first = turns.request();
    const held = new HeldOutput(async () => {
      throw new Error('output closed');
    }, turns.request(), new AbortController().signal);
    await held.emit(log('started'));
    first.release();
    await expect(held.flush()).rejects.toThrow('output closed');
    await expect(held.emit(log('records'))).rejects.toThrow('output closed');
  });
});
