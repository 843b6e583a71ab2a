/**
 * Change Data Capture for a read: which selected streams read change events (Singer
 * `replication-method: LOG_BASED`, or the `change_data_capture` setting in either protocol),
 * their schemas with the protocol's deleted-at column, and the Pub/Sub API client they share.
 */
import { readFileSync } from 'node:fs';
import type { SelectedStream } from '../catalog/types.js';
import type { TapConfig } from '../config/types.js';
import { DEFAULTS } from '../core/defaults.js';
import { ConfigError, TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { buildPubSubAuth } from '../salesforce/pubsub/pubsub-auth.js';
import type { PubSubClient, PubSubClientOptions } from '../salesforce/pubsub/pubsub-client.js';
import { changeEventTopic, createChangeEventsMode } from '../sync/change-events/read-change-events.js';
import { BUILT_IN_READ_MODES } from '../sync/modes/built-in.js';
import type { WindowReader } from '../sync/read-apis.js';
import type { AnyReadMode } from '../sync/read-modes.js';
import { buildReadPlan } from '../sync/read-plan.js';
import type { CommandContext } from './context.js';

export interface ChangeEventsForRead {
  streams: SelectedStream[];
  /** The read modes of the run: change events first when a stream reads them. */
  modes: readonly AnyReadMode[];
  close(): void;
}

/** Streams the `change_data_capture` setting names (or `*`) read change events, where their object allows. */
function applySetting(streams: SelectedStream[], names: string[]): SelectedStream[] {
  if (names.length === 0) return streams;
  const all = names.includes('*');
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return streams.map((s) => {
    const named = wanted.has(s.definition.name.toLowerCase());
    const eligible = !s.definition.query && s.definition.validReplicationKeys.includes('SystemModstamp');
    if (!(named || all) || !eligible || s.method === 'LOG_BASED') return s;
    const fields = s.fields.includes('SystemModstamp') ? s.fields : s.definition.fields.map((f) => f.name).filter((f) => f === 'SystemModstamp' || s.fields.includes(f));
    return { ...s, method: 'LOG_BASED', replicationKey: 'SystemModstamp', fields };
  });
}

/** The stream narrowed to some Ids (they come from change events: checked before they reach SOQL). */
function withIdFilter(stream: SelectedStream, ids: string[]): SelectedStream {
  if (!ids.every((id) => /^[a-zA-Z0-9]{15,18}$/.test(id))) throw new TapError('TAP_PUBSUB_BAD_RECORD_ID', 'A change event named a record id that is not a Salesforce id.', { kind: 'salesforce' });
  const byId = `Id IN (${ids.map((id) => `'${id}'`).join(', ')})`;
  return { ...stream, definition: { ...stream.definition, filter: stream.definition.filter ? `(${stream.definition.filter}) AND ${byId}` : byId } };
}

/** The endpoint, TLS choice and extra trusted certificates of the config. */
function pubSubConnection(config: TapConfig): Pick<PubSubClientOptions, 'endpoint' | 'tls' | 'caPem'> {
  const path = config.pubsubCaFile;
  if (path === undefined) return { endpoint: config.pubsubUrl, tls: config.pubsubTls };
  let caPem: string;
  try {
    caPem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('TAP_PUBSUB_CA_FILE_UNREADABLE', `pubsub_ca_file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('TAP_PUBSUB_CA_FILE_UNREADABLE', `pubsub_ca_file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  return { endpoint: config.pubsubUrl, tls: config.pubsubTls, caPem };
}

/** gRPC and Avro are loaded only by runs that read change events. */
async function pubSubClient(options: PubSubClientOptions): Promise<PubSubClient> {
  const { PubSubClient } = await import('../salesforce/pubsub/pubsub-client.js');
  return new PubSubClient(options);
}

/** `restRead` reads through REST; `batchedRead` the same with first pages batched in Composite requests. */
export async function openChangeEvents(ctx: CommandContext, client: SalesforceClient, selected: SelectedStream[], follow: boolean, restRead: WindowReader, batchedRead: WindowReader): Promise<ChangeEventsForRead> {
  // Deletes arrive as tombstones: the schema carries the protocol's deleted-at column.
  const streams = applySetting(selected, ctx.config.changeDataCapture ?? []).map((s) => (s.method === 'LOG_BASED' ? { ...s, tombstones: true } : s));
  if (!streams.some((s) => s.method === 'LOG_BASED')) {
    if (follow) ctx.logger.warn('--follow applies to change event (LOG_BASED) streams only; none is selected, so the run ends as usual.');
    return { streams, modes: BUILT_IN_READ_MODES, close: () => undefined };
  }
  const pubsub = await pubSubClient({
    ...pubSubConnection(ctx.config),
    auth: buildPubSubAuth(client),
    maxReconnects: DEFAULTS.cdcMaxReconnects,
    backoffBaseMs: DEFAULTS.retryBaseMs,
    backoffMaxMs: DEFAULTS.retryMaxMs,
    log: (message) => ctx.logger.warn(message),
  });
  const mode = createChangeEventsMode({
      source: pubsub,
      follow,
      idleMs: ctx.config.cdcIdleSeconds * 1000,
      batchSize: DEFAULTS.cdcBatchSize,
      rereadBatchSize: DEFAULTS.cdcRereadBatchSize,
      gatherEvents: DEFAULTS.cdcGatherEvents,
      skewMs: DEFAULTS.cdcSkewMs,
      reread: (stream, ids, signal, together) => (together ? batchedRead : restRead)({ stream: withIdFilter(stream, ids), plan: buildReadPlan(stream), api: together ? 'composite' : 'rest', signal, onEstimate: () => undefined }),
  });
  return { streams, modes: [mode, ...BUILT_IN_READ_MODES], close: () => pubsub.close() };
}

/**
 * For `check`: which streams named in `change_data_capture` can be read through change events
 * (their topic answers), as one sentence; undefined when the setting is empty.
 */
export async function describeChangeDataCapture(ctx: CommandContext, client: SalesforceClient): Promise<string | undefined> {
  const names = ctx.config.changeDataCapture ?? [];
  if (names.length === 0) return undefined;
  const pubsub = await pubSubClient({ ...pubSubConnection(ctx.config), auth: buildPubSubAuth(client), maxReconnects: 1, backoffBaseMs: DEFAULTS.retryBaseMs, backoffMaxMs: DEFAULTS.retryBaseMs });
  const enabled: string[] = [];
  const disabled: string[] = [];
  try {
    for (const name of names) {
      const topic = name === '*' ? '/data/ChangeEvents' : changeEventTopic(name);
      try {
        await pubsub.getTopic(topic);
        enabled.push(name);
      } catch (error) {
        if (!(error instanceof TapError) || error.code !== 'SF_PUBSUB_TOPIC_UNAVAILABLE') return `Change Data Capture: the Pub/Sub API at ${ctx.config.pubsubUrl} failed (${(error as Error).message}).`;
        disabled.push(name);
      }
    }
  } finally {
    pubsub.close();
  }
  const parts = [];
  if (enabled.length > 0) parts.push(`enabled for ${enabled.join(', ')}`);
  if (disabled.length > 0) parts.push(`not enabled for ${disabled.join(', ')} (select them in Setup → Change Data Capture)`);
  return `Change Data Capture: ${parts.join('; ')}.`;
}
