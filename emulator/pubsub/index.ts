/**
 * Change Data Capture for the emulated org: the event bus, the publisher that turns commits into
 * change events, and the Pub/Sub API gRPC server, with the knobs and faults tests use.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedOrg } from '../org/org.js';
import type { ChangeType } from './change-event.js';
import { EventLog } from './event-log.js';
import { ChangeEventPublisher, observeOrgCommits } from './publisher.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { PubSubServer, type PubSubAuth } from './server.js';

export { changeEventName } from './avro-schema.js';
export type { ChangeType, OrgCommit } from './change-event.js';

export interface PubSubOptions {
  org: EmulatedOrg;
  auth: PubSubAuth;
  /** Objects selected for Change Data Capture, or '*'. Default none. */
  cdcObjects?: string[] | '*' | undefined;
  port?: number | undefined;
  /** Serve the API over TLS too, on a second listener, with a self-signed certificate made at start. */
  tls?: boolean | undefined;
  tlsPort?: number | undefined;
  /** Idle keepalive interval. Default 1000 ms (Salesforce's is longer; tests want it short). */
  keepaliveMs?: number | undefined;
}

export interface EmulatorPubSub {
  /** `host:port` of the plaintext loopback listener. */
  readonly url: string;
  /** The TLS listener (with `tls`): `host:port`, and the certificate a client must trust, as PEM and as a file. */
  readonly tls: { url: string; certPem: string; caFile: string } | undefined;
  readonly log: EventLog;
  settings: { keepaliveMs: number };
  /** Selects objects for Change Data Capture (replaces the selection). */
  select(objects: string[] | '*'): void;
  /** Runs DML as one transaction: records changed the same way share one event. */
  transaction<T>(fn: () => T): T;
  /** Publishes a gap event (the change happened, no field data): GAP_CREATE, GAP_UPDATE, ... */
  gap(sobject: string, recordIds: string[], changeType: Exclude<ChangeType, 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'GAP_OVERFLOW'>): void;
  /** Publishes GAP_OVERFLOW for an object: a transaction changed more records than events could describe. */
  overflow(sobject: string): void;
  /** Moves the bus's clock forward: events older than 72 hours are no longer retained. */
  advanceClock(ms: number): void;
  /** The next `streams` Subscribe streams are reset after sending `events` events each. */
  dropStreamsAfter(events: number, streams?: number): void;
  /** Drops every stream and listener, then listens again on the same port. */
  restart(): Promise<void>;
  stats(): { delivered: number; subscribes: number; fetches: number; retained: number };
  close(): Promise<void>;
}

export async function startPubSub(options: PubSubOptions): Promise<EmulatorPubSub> {
  const log = new EventLog();
  const publisher = new ChangeEventPublisher(options.org, log, options.cdcObjects ?? []);
  const commits = observeOrgCommits(options.org);
  commits.onCommit((commit) => publisher.publish(commit));
  const settings = { keepaliveMs: options.keepaliveMs ?? 1000 };
  const certificate = options.tls ? createSelfSignedCertificate() : undefined;
  const server = new PubSubServer({ log, publisher, auth: options.auth, keepaliveMs: () => settings.keepaliveMs, tls: certificate });
  const url = await server.listen(options.port ?? 0, options.tlsPort ?? 0);
  // The certificate as a file, for clients configured with a CA file path (removed on close).
  const certDir = certificate ? mkdtempSync(join(tmpdir(), 'emulator-pubsub-')) : undefined;
  const tls = certificate && certDir ? { url: server.tlsUrl!, certPem: certificate.certPem, caFile: join(certDir, 'pubsub-ca.pem') } : undefined;
  if (tls) writeFileSync(tls.caFile, tls.certPem);
  let gapNumber = 0;
  const synthetic = (sobject: string, changeType: ChangeType, recordIds: string[]) => {
    gapNumber += 1;
    const name = options.org.describe(sobject)?.name ?? sobject;
    publisher.publish({
      sobject: name, changeType, recordIds, changed: {}, nulled: [], commitTimestamp: Date.now(), transactionKey: `gap-${gapNumber}`,
      sequenceNumber: 1, commitNumber: 0, commitUser: options.org.userId,
    });
  };
  return {
    url,
    tls,
    log,
    settings,
    select: (objects) => publisher.select(objects),
    transaction: (fn) => commits.transaction(fn),
    gap: (sobject, recordIds, changeType) => synthetic(sobject, changeType, recordIds),
    overflow: (sobject) => synthetic(sobject, 'GAP_OVERFLOW', []),
    advanceClock: (ms) => log.advanceClock(ms),
    dropStreamsAfter: (events, streams) => server.dropStreamsAfter(events, streams),
    restart: () => server.restart(),
    stats: () => ({ delivered: server.delivered, subscribes: server.subscribes, fetches: server.fetches, retained: log.retained }),
    close: async () => {
      await server.close();
      if (certDir) rmSync(certDir, { recursive: true, force: true });
    },
  };
}
