/**
 * The Salesforce Pub/Sub API (gRPC) for Change Data Capture: GetTopic, GetSchema and Subscribe
 * on the vendored `proto/pubsub_api.proto`, every call carrying the session's `accesstoken`,
 * `instanceurl` and `tenantid`.
 *
 * `subscribe` pulls: it asks for at most `batchSize` events and asks again only once the caller
 * has taken them, so events never pile up faster than they are written. A stream that drops is
 * reopened with backoff from the last replay id handed out; a session that expired
 * (UNAUTHENTICATED) is renewed and the stream reopened from there too. A replay id that is no
 * longer retained (or invalid) ends the subscription with `PubSubReplayIdError`: the caller
 * catches up by query instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { credentials as grpcCredentials, loadPackageDefinition, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { TapError } from '../../core/errors.js';
import { decodeChangeEvent, SchemaCache, type ChangeEvent } from './change-event.js';
import { PubSubReplayIdError } from './errors.js';

export interface PubSubCredentials {
  accessToken: string;
  instanceUrl: string;
  /** The 18-character org id. */
  tenantId: string;
}

export interface PubSubAuth {
  current(signal?: AbortSignal): Promise<PubSubCredentials>;
  /** A new session after `stale` was refused. */
  renew(stale: PubSubCredentials, signal?: AbortSignal): Promise<PubSubCredentials>;
}

export interface PubSubClientOptions {
  /** `host:port`. */
  endpoint: string;
  /** `auto`: TLS unless the host is loopback (and no `caPem` is given). */
  tls: 'auto' | 'tls' | 'plaintext';
  /** Certificates (PEM) trusted beside Node's root certificates, e.g. a self-signed one. */
  caPem?: string | undefined;
  auth: PubSubAuth;
  /** Reconnect attempts in a row without a response before giving up. */
  maxReconnects: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  log?: (message: string) => void;
}

export type ReplayStart = { preset: 'LATEST' } | { preset: 'EARLIEST' } | { preset: 'CUSTOM'; replayId: Buffer };

export interface SubscribeOptions {
  topic: string;
  start: ReplayStart;
  /** Events asked for at a time (1..100). */
  batchSize: number;
  /** With no response for this long, an empty batch with `idle` is handed out. */
  idleMs: number;
  signal: AbortSignal;
}

export interface PubSubBatch {
  events: ChangeEvent[];
  /** The newest replay id of the topic the server knows of (empty: no events yet). */
  latestReplayId: Buffer | undefined;
  /** Events the server still owes this stream: an empty response with some owed means nothing is available. */
  pendingNumRequested?: number;
  /** No response came within `idleMs`. */
  idle?: boolean;
}

export { PubSubReplayIdError };

interface RawPubSub {
  GetTopic(req: object, md: Metadata, cb: (e: ServiceError | null, r: { schema_id: string; can_subscribe: boolean }) => void): void;
  GetSchema(req: object, md: Metadata, cb: (e: ServiceError | null, r: { schema_json: string }) => void): void;
  Subscribe(md: Metadata): ClientDuplexStream<object, RawFetchResponse>;
  close(): void;
}

interface RawFetchResponse {
  events: { event: { schema_id: string; payload: Buffer }; replay_id: Buffer }[];
  latest_replay_id: Buffer;
  pending_num_requested: number;
}

function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = join(dir, 'proto', 'pubsub_api.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new TapError('TAP_PUBSUB_PROTO_MISSING', 'proto/pubsub_api.proto is missing from the installation; reinstall tap-salesforce.');
}

let pubSubConstructor: (new (endpoint: string, creds: unknown, options: object) => RawPubSub) | undefined;
function loadPubSub() {
  if (!pubSubConstructor) {
    const definition = loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true });
    pubSubConstructor = (loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: typeof pubSubConstructor } } }).eventbus.v1.PubSub;
  }
  return pubSubConstructor!;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;
const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.ABORTED]);

/**
 * A failed TLS handshake, as one line saying what to set: it never heals by retrying. Undefined
 * for every other failure.
 */
export function toTlsError(error: ServiceError, endpoint: string): TapError | undefined {
  if (error.code !== status.UNAVAILABLE) return undefined;
  const details = String(error.details ?? '');
  if (/wrong version number|packet length too long|unknown protocol/i.test(details)) {
    return new TapError('TAP_PUBSUB_NOT_TLS', `The Pub/Sub API at ${endpoint} does not answer TLS (it looks like a plaintext listener): set pubsub_tls to plaintext, or point pubsub_url at its TLS port.`, { kind: 'config', cause: error });
  }
  if (/Hostname\/IP does not match|CERT_ALTNAME_INVALID/i.test(details)) {
    return new TapError('TAP_PUBSUB_TLS_UNTRUSTED', `The Pub/Sub API at ${endpoint} presented a certificate for another host name: set pubsub_url to a host name its certificate names.`, { kind: 'config', cause: error });
  }
  const reason = [/self[- ]signed certificate[^.;]*/i, /unable to (?:get|verify)[^.;]*certificate[^.;]*/i, /certificate (?:has expired|is not yet valid)/i, /certificate signature failure/i, /CERT_[A-Z_]+/]
    .map((pattern) => pattern.exec(details)?.[0])
    .find((found) => found !== undefined);
  if (!reason) return undefined;
  return new TapError('TAP_PUBSUB_TLS_UNTRUSTED', `The Pub/Sub API at ${endpoint} presented a certificate the tap does not trust (${reason}): set pubsub_ca_file to the PEM file of the CA that signed it (for a self-signed certificate, the certificate itself).`, { kind: 'config', cause: error });
}

/** Classifies a gRPC failure into a TapError the sync understands. */
export function toPubSubError(error: ServiceError, topic: string): TapError {
  const errorCode = String(error.metadata?.get('error-code')[0] ?? '');
  if (error.code === status.INVALID_ARGUMENT && /replayid/i.test(errorCode + error.details)) return new PubSubReplayIdError(`The stored replay id of ${topic} cannot be used: ${error.details}`, error);
  if (error.code === status.NOT_FOUND || error.code === status.PERMISSION_DENIED) {
    return new TapError('SF_PUBSUB_TOPIC_UNAVAILABLE', `${topic} cannot be subscribed to (${error.details}). Select the object for Change Data Capture in Setup → Change Data Capture, and give the integration user Read access to it.`, { kind: 'salesforce', cause: error });
  }
  if (error.code === status.UNAUTHENTICATED) return new TapError('SF_PUBSUB_UNAUTHENTICATED', `The Pub/Sub API refused the session: ${error.details}`, { kind: 'auth', cause: error });
  return new TapError('SF_PUBSUB_UNAVAILABLE', `The Pub/Sub API stream failed (${status[error.code] ?? error.code}: ${error.details}); the next run resumes from the last STATE.`, { kind: 'transient', cause: error, retryable: RETRYABLE.has(error.code) });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class PubSubClient {
  readonly #raw: RawPubSub;
  readonly #schemas: SchemaCache;
  /** Subscribe streams opened (first and reconnects), for logs and benchmarks. */
  streamsOpened = 0;
  calls = 0;

  constructor(private readonly options: PubSubClientOptions) {
    const PubSub = loadPubSub();
    const secure = options.tls === 'tls' || (options.tls === 'auto' && (options.caPem !== undefined || !LOOPBACK.test(options.endpoint)));
    // Given roots replace the defaults in gRPC: the extra CA is added to Node's, not instead of them.
    const roots = options.caPem === undefined ? null : Buffer.from([...rootCertificates, options.caPem].join('\n'));
    this.#raw = new PubSub(options.endpoint, secure ? grpcCredentials.createSsl(roots) : grpcCredentials.createInsecure(), {
      'grpc.keepalive_time_ms': 60_000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    this.#schemas = new SchemaCache(async (schemaId) => (await this.#unary('GetSchema', { schema_id: schemaId }, schemaId)).schema_json);
  }

  close(): void {
    this.#raw.close();
  }

  async getTopic(topic: string): Promise<{ schemaId: string; canSubscribe: boolean }> {
    const info = await this.#unary('GetTopic', { topic_name: topic }, topic);
    return { schemaId: info.schema_id, canSubscribe: info.can_subscribe };
  }

  async #metadata(creds: PubSubCredentials): Promise<Metadata> {
    const md = new Metadata();
    md.set('accesstoken', creds.accessToken);
    md.set('instanceurl', creds.instanceUrl);
    md.set('tenantid', creds.tenantId);
    return md;
  }

  async #unary<M extends 'GetTopic' | 'GetSchema'>(method: M, request: object, what: string): Promise<Parameters<Parameters<RawPubSub[M]>[2]>[1]> {
    let creds = await this.options.auth.current();
    for (let attempt = 0; ; attempt += 1) {
      this.calls += 1;
      const md = await this.#metadata(creds);
      try {
        return await new Promise((resolve, reject) => (this.#raw[method] as (r: object, m: Metadata, cb: (e: ServiceError | null, v: never) => void) => void)(request, md, (e, v) => (e ? reject(e) : resolve(v))));
      } catch (thrown) {
        const error = thrown as ServiceError;
        if (error.code === status.UNAUTHENTICATED && attempt === 0) {
          creds = await this.options.auth.renew(creds);
          continue;
        }
        const tls = toTlsError(error, this.options.endpoint);
        if (tls) throw tls;
        if (RETRYABLE.has(error.code) && attempt < this.options.maxReconnects) {
          await sleep(this.#backoff(attempt), new AbortController().signal);
          continue;
        }
        throw toPubSubError(error, what);
      }
    }
  }

  #backoff(attempt: number): number {
    const ms = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** attempt);
    return ms / 2 + Math.random() * (ms / 2);
  }

  /** Change events of a topic from `start`, batch by batch, until `signal` aborts or the stream fails for good. */
  async *subscribe(options: SubscribeOptions): AsyncGenerator<PubSubBatch> {
    let start = options.start;
    let failures = 0;
    let creds = await this.options.auth.current(options.signal);
    let renewedWithoutResponse = false;
    while (!options.signal.aborted) {
      const stream = this.#open(options, start, await this.#metadata(creds));
      let outstanding = options.batchSize;
      try {
        for (;;) {
          const next = await stream.next(options.idleMs);
          if (next === 'idle') {
            yield { events: [], latestReplayId: undefined, idle: true };
            continue;
          }
          failures = 0;
          renewedWithoutResponse = false;
          const events: ChangeEvent[] = [];
          for (const e of next.events) events.push(decodeChangeEvent(await this.#schemas.get(e.event.schema_id), e.event.payload, Buffer.from(e.replay_id)));
          const last = events.at(-1);
          if (last) start = { preset: 'CUSTOM', replayId: last.replayId };
          yield { events, latestReplayId: next.latest_replay_id?.length ? Buffer.from(next.latest_replay_id) : undefined, pendingNumRequested: next.pending_num_requested ?? 0 };
          // Asked again only once all asked for arrived and the caller has written them.
          outstanding -= events.length;
          if (outstanding <= 0) {
            stream.request();
            outstanding = options.batchSize;
          }
        }
      } catch (thrown) {
        stream.cancel();
        if (options.signal.aborted) return;
        const error = thrown as ServiceError;
        if (typeof error.code !== 'number') throw thrown;
        const tls = toTlsError(error, this.options.endpoint);
        if (tls) throw tls;
        if (error.code === status.UNAUTHENTICATED && !renewedWithoutResponse) {
          this.options.log?.(`${options.topic}: session expired; logging in again and resubscribing from the last processed event`);
          renewedWithoutResponse = true;
          creds = await this.options.auth.renew(creds, options.signal);
          continue;
        }
        if (RETRYABLE.has(error.code) && failures < this.options.maxReconnects) {
          const wait = this.#backoff(failures);
          failures += 1;
          this.options.log?.(`${options.topic}: stream dropped (${status[error.code]}: ${error.details}); resubscribing in ${Math.round(wait)} ms`);
          await sleep(wait, options.signal);
          continue;
        }
        throw toPubSubError(error, options.topic);
      } finally {
        stream.cancel();
      }
    }
  }

  /** One Subscribe stream with its responses queued for `next()`. */
  #open(options: SubscribeOptions, start: ReplayStart, md: Metadata) {
    this.streamsOpened += 1;
    this.calls += 1;
    const call = this.#raw.Subscribe(md);
    const queue: RawFetchResponse[] = [];
    let failure: ServiceError | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    call.on('data', (r: RawFetchResponse) => {
      queue.push(r);
      notify();
    });
    call.on('error', (e: ServiceError) => {
      failure = e;
      notify();
    });
    call.on('end', () => {
      ended = true;
      notify();
    });
    const onAbort = () => call.cancel();
    options.signal.addEventListener('abort', onAbort, { once: true });
    // After an empty position (the topic had no events yet) means from the oldest retained event.
    if (start.preset === 'CUSTOM' && start.replayId.length === 0) start = { preset: 'EARLIEST' };
    const request = (first: boolean) =>
      call.write({
        topic_name: options.topic,
        num_requested: options.batchSize,
        ...(first ? { replay_preset: start.preset, ...(start.preset === 'CUSTOM' ? { replay_id: start.replayId } : {}) } : {}),
      });
    request(true);
    return {
      request: () => request(false),
      cancel: () => {
        options.signal.removeEventListener('abort', onAbort);
        if (!ended && !failure) call.cancel();
      },
      async next(idleMs: number): Promise<RawFetchResponse | 'idle'> {
        for (;;) {
          const r = queue.shift();
          if (r) return r;
          if (failure) throw failure;
          if (ended) throw Object.assign(new Error('The server ended the stream'), { code: status.UNAVAILABLE, details: 'stream ended' });
          const woke = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), idleMs);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          if (!woke) return 'idle';
        }
      },
    };
  }
}
