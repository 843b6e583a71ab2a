/**
 * Several streams sync at once, and their events must leave through one ordered output. The
 * channel merges them with backpressure: a producer's `push` waits while the consumer is
 * `capacity` behind, so a slow stdout slows extraction instead of growing memory. Events count
 * 1 each, or what `weigh` says (e.g. records, so pages of 2,000 records are not held like one);
 * an event heavier than the capacity still passes when the channel is empty.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #weigh: ((event: T) => number) | undefined;
  readonly #buffer: T[] = [];
  #weight = 0;
  #head = 0;
  #closed = false;
  #failure: { error: unknown } | undefined;
  /** Producers waiting for room. */
  #waitingForRoom: (() => void)[] = [];
  /** The consumer waiting for an event. */
  #waitingForData: (() => void) | undefined;

  constructor(capacity = 64, weigh?: (event: T) => number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Expected \`capacity\` to be a positive integer, got \`${capacity}\``);
    this.#capacity = capacity;
    this.#weigh = weigh;
  }

  get size(): number {
    return this.#buffer.length - this.#head;
  }

  /** Adds an event; resolves once there is room for it. Throws if the channel was closed. */
  async push(event: T): Promise<void> {
    const weight = this.#weigh ? Math.max(1, this.#weigh(event)) : 1;
    while (this.size > 0 && this.#weight + weight > this.#capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#waitingForRoom.push(resolve));
    }
    if (this.#closed) throw new Error('EventChannel: push after close');
    this.#buffer.push(event);
    this.#weight += weight;
    this.#wakeConsumer();
  }

  /** No more events; the consumer drains what is buffered, then ends. */
  close(): void {
    this.#closed = true;
    this.#wakeConsumer();
    this.#wakeProducers();
  }

  /** Ends the consumer's iteration with `error` once the buffered events are drained. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.size > 0) {
        const event = this.#buffer[this.#head] as T;
        this.#buffer[this.#head] = undefined as T;
        this.#head += 1;
        this.#weight -= this.#weigh ? Math.max(1, this.#weigh(event)) : 1;
        // Compact now and then so the array does not grow without bound.
        if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
          this.#buffer.splice(0, this.#head);
          this.#head = 0;
        }
        this.#wakeProducers();
        yield event;
        continue;
      }
      if (this.#closed) {
        if (this.#failure) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#waitingForData = resolve;
      });
    }
  }

  #wakeConsumer(): void {
    const wake = this.#waitingForData;
    this.#waitingForData = undefined;
    wake?.();
  }

  #wakeProducers(): void {
    const waiting = this.#waitingForRoom;
    this.#waitingForRoom = [];
    for (const wake of waiting) wake();
  }
}
