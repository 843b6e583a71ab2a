/**
 * One `Subscribe` stream: pull flow control (the client asks for at most 100 events at a time
 * and gets no more than it asked for), the replay position of the first FetchRequest, and
 * keepalives (an empty FetchResponse with the latest replay id) whenever the client is caught
 * up: right after it catches up, then every `keepaliveMs`.
 */
import { Metadata, status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { EventLog, LoggedEvent } from './event-log.js';
import type { ChangeEventPublisher } from './publisher.js';

export const MAX_NUM_REQUESTED = 100;

export interface FetchRequest {
  topic_name: string;
  replay_preset: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id: Buffer;
  num_requested: number;
  auth_refresh: string;
}

export interface SubscriptionHooks {
  /** Whether the session behind the stream is still valid. */
  authorized(): boolean;
  keepaliveMs(): number;
  /** Events this stream may still send before the emulator drops it (a fault); Infinity: no fault. */
  takeDropBudget(): number;
  onDelivered(count: number): void;
  /** A FetchRequest arrived (counted before it is validated). */
  onFetch(): void;
}

interface GrpcError {
  code: number;
  details: string;
  metadata?: Metadata;
}

export function grpcError(code: number, details: string, errorCode?: string): GrpcError {
  const metadata = new Metadata();
  if (errorCode) metadata.set('error-code', errorCode);
  return { code, details, metadata };
}

export class Subscription {
  #topicObject: string | undefined;
  #cursor = -1;
  #pending = 0;
  #keepaliveSent = false;
  #lastSentAt = Date.now();
  #closed = false;
  #dropBudget = Infinity;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: () => void;
  #scheduled = false;

  constructor(
    private readonly call: ServerDuplexStream<FetchRequest, unknown>,
    private readonly log: EventLog,
    private readonly publisher: ChangeEventPublisher,
    private readonly hooks: SubscriptionHooks,
  ) {
    this.#unlisten = log.onAppend(() => this.schedule());
    call.on('data', (request: FetchRequest) => this.#onRequest(request));
    call.on('end', () => this.close());
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
    call.on('close', () => this.close());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unlisten();
    if (this.#timer) clearTimeout(this.#timer);
  }

  fail(error: GrpcError): void {
    if (this.#closed) return;
    this.close();
    this.call.emit('error', error);
  }

  #onRequest(request: FetchRequest): void {
    if (this.#closed) return;
    this.hooks.onFetch();
    const n = request.num_requested;
    if (!Number.isInteger(n) || n < 1 || n > MAX_NUM_REQUESTED) {
      this.fail(grpcError(status.INVALID_ARGUMENT, `num_requested must be between 1 and ${MAX_NUM_REQUESTED}, got ${n}`, 'sfdc.platform.eventbus.grpc.flow.control.invalid.num.requested'));
      return;
    }
    if (this.#cursor < 0) {
      // Only the first FetchRequest's topic and replay position count.
      const object = this.publisher.topicObject(request.topic_name);
      if (!object) {
        this.fail(grpcError(status.NOT_FOUND, `Topic ${request.topic_name} does not exist or Change Data Capture is not enabled for its object.`, 'sfdc.platform.eventbus.grpc.service.topic.not.found'));
        return;
      }
      this.#topicObject = object;
      if (request.replay_preset === 'EARLIEST') this.#cursor = this.log.earliestSeq();
      else if (request.replay_preset === 'CUSTOM') {
        const found = this.log.seqAfter(Buffer.from(request.replay_id ?? []));
        if ('error' in found) {
          this.fail(
            found.error === 'expired'
              ? grpcError(status.INVALID_ARGUMENT, 'The replay ID is no longer retained (events are kept 72 hours). Subscribe from EARLIEST or LATEST.', 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed')
              : grpcError(status.INVALID_ARGUMENT, 'The replay ID is invalid for this topic.', 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted'),
          );
          return;
        }
        this.#cursor = found.seq;
      } else this.#cursor = this.log.endSeq();
      this.#dropBudget = this.hooks.takeDropBudget();
    }
    this.#pending += n;
    this.schedule();
  }

  schedule(): void {
    if (this.#scheduled || this.#closed || this.#cursor < 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #matches(event: LoggedEvent): boolean {
    return this.#topicObject === '*' || event.entity === this.#topicObject;
  }

  #pump(): void {
    if (this.#closed) return;
    if (!this.hooks.authorized()) {
      this.fail(grpcError(status.UNAUTHENTICATED, 'Session expired or invalid', 'sfdc.platform.eventbus.grpc.service.auth.error'));
      return;
    }
    let delivered = false;
    const end = this.log.endSeq();
    while (this.#pending > 0 && this.#cursor < end) {
      const events: { event: { id: string; schema_id: string; payload: Buffer; headers: never[] }; replay_id: Buffer }[] = [];
      let dropping = false;
      while (this.#cursor < end && events.length < this.#pending) {
        if (events.length >= this.#dropBudget) {
          dropping = true;
          break;
        }
        const e = this.log.at(this.#cursor);
        this.#cursor += 1;
        if (e && this.#matches(e)) events.push({ event: { id: e.id, schema_id: e.schemaId, payload: e.payload, headers: [] }, replay_id: e.replayId });
      }
      if (events.length > 0) {
        this.#pending -= events.length;
        this.#dropBudget -= events.length;
        this.hooks.onDelivered(events.length);
        this.call.write({ events, latest_replay_id: this.log.latestReplayId(), rpc_id: '', pending_num_requested: this.#pending });
        delivered = true;
        this.#keepaliveSent = false;
        this.#lastSentAt = Date.now();
      }
      if (dropping || this.#dropBudget <= 0) {
        this.fail(grpcError(status.UNAVAILABLE, 'The stream was reset by the server', 'sfdc.platform.eventbus.grpc.service.unavailable'));
        return;
      }
    }
    if (!delivered) this.#keepalive();
    this.#arm();
  }

  #keepalive(): void {
    const due = !this.#keepaliveSent || Date.now() - this.#lastSentAt >= this.hooks.keepaliveMs();
    if (!due) return;
    this.call.write({ events: [], latest_replay_id: this.log.latestReplayId(), rpc_id: '', pending_num_requested: this.#pending });
    this.#keepaliveSent = true;
    this.#lastSentAt = Date.now();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), this.hooks.keepaliveMs());
    this.#timer.unref();
  }
}
