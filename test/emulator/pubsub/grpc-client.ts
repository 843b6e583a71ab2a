/**
 * A bare Pub/Sub API client for the emulator's tests: raw grpc-js calls on the vendored proto,
 * nothing shared with the tap's client, so a misunderstanding of the wire cannot pass both.
 */
import { credentials, loadPackageDefinition, Metadata, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Emulator } from '../../../emulator/index.js';

interface RawClient {
  GetTopic(req: object, md: Metadata, cb: (e: ServiceError | null, r: Record<string, unknown>) => void): void;
  GetSchema(req: object, md: Metadata, cb: (e: ServiceError | null, r: Record<string, unknown>) => void): void;
  Subscribe(md: Metadata): ClientDuplexStream<object, FetchResponse>;
  close(): void;
}

export interface FetchResponse {
  events: { event: { id: string; schema_id: string; payload: Buffer }; replay_id: Buffer }[];
  latest_replay_id: Buffer;
  pending_num_requested: number;
}

const definition = loadSync(new URL('../../../proto/pubsub_api.proto', import.meta.url).pathname, { keepCase: true, longs: String, enums: String, defaults: true });
const PubSub = (loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: new (url: string, c: unknown) => RawClient } } }).eventbus.v1.PubSub;

export function connect(em: Emulator): RawClient {
  return new PubSub(em.pubsub.url, credentials.createInsecure());
}

export function authMetadata(em: Emulator, token = em.issueAccessToken(), overrides: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  md.set('accesstoken', token);
  md.set('instanceurl', em.instanceUrl);
  md.set('tenantid', toId18(em.org.orgId));
  for (const [k, v] of Object.entries(overrides)) md.set(k, v);
  return md;
}

/** Salesforce's case-safe suffix, computed here from its definition rather than the emulator's code. */
export function toId18(id: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.charAt(bits);
  }
  return id + suffix;
}

export function unary<T = Record<string, unknown>>(client: RawClient, method: 'GetTopic' | 'GetSchema', req: object, md: Metadata): Promise<T> {
  return new Promise((resolve, reject) => client[method](req, md, (e, r) => (e ? reject(e) : resolve(r as T))));
}

/** Opens a Subscribe stream; `next()` resolves with the next FetchResponse or rejects with the stream's error. */
export function subscribe(client: RawClient, md: Metadata) {
  const call = client.Subscribe(md);
  const queue: FetchResponse[] = [];
  let failure: ServiceError | undefined;
  let wake: (() => void) | undefined;
  call.on('data', (r: FetchResponse) => {
    queue.push(r);
    wake?.();
  });
  call.on('error', (e: ServiceError) => {
    failure = e;
    wake?.();
  });
  call.on('end', () => wake?.());
  return {
    call,
    fetch(request: { topic_name: string; replay_preset?: string; replay_id?: Buffer; num_requested: number }) {
      call.write({ replay_preset: 'LATEST', ...request });
    },
    async next(): Promise<FetchResponse> {
      for (;;) {
        const r = queue.shift();
        if (r) return r;
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    /** Responses until `count` events arrived (keepalives skipped). */
    async events(count: number): Promise<FetchResponse['events']> {
      const out: FetchResponse['events'] = [];
      while (out.length < count) out.push(...(await this.next()).events);
      return out;
    },
    close: () => call.cancel(),
  };
}
