/**
 * The emulator's Pub/Sub API: a gRPC server (HTTP/2, plaintext on loopback, and with `tls` a
 * second listener serving the same API over TLS with a generated certificate) implementing
 * GetTopic, GetSchema and Subscribe of the vendored `proto/pubsub_api.proto`. Every call is
 * authenticated by its `accesstoken`, `instanceurl` and `tenantid` metadata; a wrong or expired
 * one fails with UNAUTHENTICATED. Faults: drop streams after N events, restart the server.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, Server, ServerCredentials, status, type Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { EventLog } from './event-log.js';
import type { ChangeEventPublisher } from './publisher.js';
import { grpcError, Subscription, type FetchRequest } from './subscription.js';

/** `proto/pubsub_api.proto` of the package, from `emulator/pubsub` or `dist/emulator/pubsub`. */
function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = join(dir, 'proto', 'pubsub_api.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('proto/pubsub_api.proto not found beside the emulator');
}

export interface PubSubAuth {
  /** Whether a token is a live session (its inactivity clock restarted). */
  isValidToken(token: string): boolean;
  instanceUrl(): string;
  tenantId: string;
}

export interface PubSubFaults {
  /** The next `streams` Subscribe streams are reset (UNAVAILABLE) after `events` events each. */
  dropStreamsAfter(events: number, streams?: number): void;
}

export interface PubSubServerOptions {
  log: EventLog;
  publisher: ChangeEventPublisher;
  auth: PubSubAuth;
  keepaliveMs: () => number;
  /** Serve a TLS listener too, with this certificate and key (PEM). */
  tls?: { certPem: string; keyPem: string } | undefined;
}

export class PubSubServer implements PubSubFaults {
  #server: Server | undefined;
  #port = 0;
  #tlsPort = 0;
  #subscriptions = new Set<Subscription>();
  #drops: number[] = [];
  #service: ServiceDefinition;
  /** Events sent on all streams, Subscribe streams opened and FetchRequests received (for tests' assertions). */
  delivered = 0;
  subscribes = 0;
  fetches = 0;

  constructor(private readonly options: PubSubServerOptions) {
    const definition = loadSync(protoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: { service: ServiceDefinition } } } };
    this.#service = pkg.eventbus.v1.PubSub.service;
  }

  get url(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /**
   * `host:port` of the TLS listener, when the server has one. Named `localhost` (the certificate
   * names it too): TLS clients send the host as SNI, which must not be an IP address.
   */
  get tlsUrl(): string | undefined {
    return this.options.tls ? `localhost:${this.#tlsPort}` : undefined;
  }

  async listen(port = 0, tlsPort = 0): Promise<string> {
    const server = new Server({ 'grpc.keepalive_permit_without_calls': 1 });
    server.addService(this.#service, this.#handlers());
    const bind = (at: number, credentials: ServerCredentials) =>
      new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${at}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
    this.#port = await bind(port, ServerCredentials.createInsecure());
    const { tls } = this.options;
    if (tls) this.#tlsPort = await bind(tlsPort, ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }], false));
    this.#server = server;
    return this.url;
  }

  dropStreamsAfter(events: number, streams = 1): void {
    for (let i = 0; i < streams; i += 1) this.#drops.push(events);
  }

  /** Ends every stream and the listener, then listens again on the same port. */
  async restart(): Promise<void> {
    await this.close();
    await this.listen(this.#port, this.#tlsPort);
  }

  async close(): Promise<void> {
    for (const s of this.#subscriptions) s.fail(grpcError(status.UNAVAILABLE, 'Server shutting down'));
    this.#subscriptions.clear();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    // The streams' statuses go out first; a connection that lingers is cut after a moment.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 200);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #authenticate(metadata: Metadata): string | undefined {
    const one = (key: string) => String(metadata.get(key)[0] ?? '');
    const token = one('accesstoken');
    const { auth } = this.options;
    if (!token || !auth.isValidToken(token)) return 'Invalid or expired access token (accesstoken)';
    if (one('instanceurl').replace(/\/+$/, '') !== auth.instanceUrl()) return 'instanceurl does not match the session';
    if (one('tenantid') !== auth.tenantId) return 'tenantid does not match the org';
    return undefined;
  }

  #handlers(): UntypedServiceImplementation {
    const { log, publisher, auth } = this.options;
    const unauthenticated = (details: string) => grpcError(status.UNAUTHENTICATED, details, 'sfdc.platform.eventbus.grpc.service.auth.error');
    const unary = <Req, Res>(handle: (request: Req) => Res | ReturnType<typeof grpcError>) =>
      (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
        const failure = this.#authenticate(call.metadata);
        if (failure) return callback(unauthenticated(failure));
        const result = handle(call.request);
        if (result && typeof result === 'object' && 'code' in result && 'details' in result) return callback(result as ReturnType<typeof grpcError>);
        return callback(null, result as Res);
      };
    return {
      GetTopic: unary((request: { topic_name: string }) => {
        const object = publisher.topicObject(request.topic_name);
        if (!object) return grpcError(status.NOT_FOUND, `Topic ${request.topic_name} does not exist or Change Data Capture is not enabled for its object.`, 'sfdc.platform.eventbus.grpc.service.topic.not.found');
        return { topic_name: request.topic_name, tenant_guid: auth.tenantId, can_publish: false, can_subscribe: true, schema_id: object === '*' ? '' : publisher.schemaFor(object).schema.schemaId, rpc_id: '' };
      }),
      GetSchema: unary((request: { schema_id: string }) => {
        const schema = publisher.schemaById(request.schema_id);
        if (!schema) return grpcError(status.NOT_FOUND, `Schema ${request.schema_id} not found`, 'sfdc.platform.eventbus.grpc.schema.not.found');
        return { schema_json: schema.json, schema_id: schema.schemaId, rpc_id: '' };
      }),
      Subscribe: (call: ServerDuplexStream<FetchRequest, unknown>) => {
        this.subscribes += 1;
        const token = String(call.metadata.get('accesstoken')[0] ?? '');
        const failure = this.#authenticate(call.metadata);
        if (failure) {
          call.emit('error', unauthenticated(failure));
          return;
        }
        const subscription = new Subscription(call, log, publisher, {
          authorized: () => auth.isValidToken(token),
          keepaliveMs: this.options.keepaliveMs,
          takeDropBudget: () => this.#drops.shift() ?? Infinity,
          onDelivered: (n) => {
            this.delivered += n;
          },
          onFetch: () => {
            this.fetches += 1;
          },
        });
        this.#subscriptions.add(subscription);
        call.on('close', () => this.#subscriptions.delete(subscription));
      },
      Publish: unary(() => grpcError(status.UNIMPLEMENTED, 'Publishing is not supported on change event topics')),
      PublishStream: (call: ServerDuplexStream<unknown, unknown>) => call.emit('error', grpcError(status.UNIMPLEMENTED, 'PublishStream is not supported by the emulator')),
      ManagedSubscribe: (call: ServerDuplexStream<unknown, unknown>) => call.emit('error', grpcError(status.UNIMPLEMENTED, 'ManagedSubscribe is not supported by the emulator')),
    };
  }
}
