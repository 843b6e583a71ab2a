/**
 * The org's change event bus: every event in commit order with its replay id, kept for the
 * retention period on a clock tests can move forward.
 *
 * Replay ids are 8 opaque bytes that grow by a random stride (as Salesforce's do, they are not
 * contiguous: clients must store them, never compute with them). An id older than the oldest
 * retained event is expired; one the bus never issued is invalid.
 */
import { randomUUID } from 'node:crypto';

export const RETENTION_MS = 72 * 3600 * 1000;

export interface LoggedEvent {
  /** The event's own id (ProducerEvent.id). */
  id: string;
  replayId: Buffer;
  position: bigint;
  entity: string;
  schemaId: string;
  payload: Buffer;
  publishedAt: number;
}

export type ReplayLookup = { seq: number } | { error: 'expired' | 'invalid' };

export class EventLog {
  #events: LoggedEvent[] = [];
  /** Index in #events of the oldest retained event. */
  #head = 0;
  /** Absolute sequence number of #events[0]. */
  #base = 0;
  #position = 1000n;
  #latest = Buffer.alloc(0);
  #clockOffsetMs = 0;
  #listeners = new Set<() => void>();
  #random: () => number;

  constructor(
    private readonly clock: () => number = Date.now,
    random: () => number = Math.random,
    readonly retentionMs: number = RETENTION_MS,
  ) {
    this.#random = random;
  }

  now(): number {
    return this.clock() + this.#clockOffsetMs;
  }

  /** Moves the bus's clock forward (retention); the org's clock is unaffected. */
  advanceClock(ms: number): void {
    this.#clockOffsetMs += ms;
    this.#trim();
  }

  append(entity: string, schemaId: string, payload: Buffer): LoggedEvent {
    this.#position += BigInt(1 + Math.floor(this.#random() * 7));
    const replayId = Buffer.alloc(8);
    replayId.writeBigUInt64BE(this.#position);
    const event: LoggedEvent = { id: randomUUID(), replayId, position: this.#position, entity, schemaId, payload, publishedAt: this.now() };
    this.#events.push(event);
    this.#latest = replayId;
    this.#trim();
    for (const listener of this.#listeners) listener();
    return event;
  }

  /** The newest replay id ever issued (empty before the first event), as keepalives report it. */
  latestReplayId(): Buffer {
    return this.#latest;
  }

  /** Sequence number of the first retained event (EARLIEST). */
  earliestSeq(): number {
    this.#trim();
    return this.#base + this.#head;
  }

  /** Sequence number after the last event (LATEST). */
  endSeq(): number {
    return this.#base + this.#events.length;
  }

  at(seq: number): LoggedEvent | undefined {
    const i = seq - this.#base;
    return i >= this.#head ? this.#events[i] : undefined;
  }

  /** The sequence number right after the event with this replay id. */
  seqAfter(replayId: Buffer): ReplayLookup {
    this.#trim();
    if (replayId.length !== 8) return { error: 'invalid' };
    const position = replayId.readBigUInt64BE();
    if (position > this.#position || position <= 1000n) return { error: 'invalid' };
    // The latest replay id (as keepalives report it) stays a valid start after its event expired.
    if (position === this.#position) return { seq: this.endSeq() };
    let lo = this.#head;
    let hi = this.#events.length - 1;
    if (hi < lo || position < this.#events[lo]!.position) return { error: 'expired' };
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.#events[mid]!.position;
      if (p === position) return { seq: this.#base + mid + 1 };
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return { error: 'invalid' };
  }

  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get retained(): number {
    return this.#events.length - this.#head;
  }

  #trim(): void {
    const cutoff = this.now() - this.retentionMs;
    while (this.#head < this.#events.length && this.#events[this.#head]!.publishedAt < cutoff) this.#head += 1;
    // Compact once the dropped prefix is large, so memory follows what is retained.
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
  }
}
