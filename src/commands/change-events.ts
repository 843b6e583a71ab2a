/**
 * Change Data Capture for a read: which selected streams read change events (Singer
 * `replication-method: LOG_BASED`, or the `change_data_capture` setting in either protocol),
 * their schemas with the protocol's deleted-at column, and the Pub/Sub API client they share.
 */
import type { SelectedStream } from '../catalog/types.js';
import { DEFAULTS } from '../core/defaults.js';
import { AIRBYTE_DELETED_AT } from '../protocol/airbyte/messages.js';
import { SINGER_DELETED_AT } from '../protocol/singer/messages.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { buildPubSubAuth } from '../salesforce/pubsub/pubsub-auth.js';
import { PubSubClient } from '../salesforce/pubsub/pubsub-client.js';
import type { ChangeEventSettings } from '../sync/change-events/read-change-events.js';
import { withDeletedAtProperty } from '../sync/change-events/tombstone-records.js';
import type { CommandContext } from './context.js';

export interface ChangeEventsForRead {
  streams: SelectedStream[];
  settings: ChangeEventSettings | undefined;
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

export function openChangeEvents(ctx: CommandContext, client: SalesforceClient, selected: SelectedStream[], follow: boolean): ChangeEventsForRead {
  const deletedAtKey = ctx.protocol === 'airbyte' ? AIRBYTE_DELETED_AT : SINGER_DELETED_AT;
  const streams = applySetting(selected, ctx.config.changeDataCapture).map((s) => (s.method === 'LOG_BASED' ? withDeletedAtProperty(s, deletedAtKey) : s));
  if (!streams.some((s) => s.method === 'LOG_BASED')) {
    if (follow) ctx.logger.warn('--follow applies to change event (LOG_BASED) streams only; none is selected, so the run ends as usual.');
    return { streams, settings: undefined, close: () => undefined };
  }
  const pubsub = new PubSubClient({
    endpoint: ctx.config.pubsubUrl,
    auth: buildPubSubAuth(client),
    maxReconnects: DEFAULTS.cdcMaxReconnects,
    backoffBaseMs: DEFAULTS.retryBaseMs,
    backoffMaxMs: DEFAULTS.retryMaxMs,
    log: (message) => ctx.logger.warn(message),
  });
  return {
    streams,
    settings: {
      source: pubsub,
      follow,
      idleMs: ctx.config.cdcIdleSeconds * 1000,
      batchSize: DEFAULTS.cdcBatchSize,
      rereadBatchSize: DEFAULTS.cdcRereadBatchSize,
      deletedAtKey,
      skewMs: DEFAULTS.cdcSkewMs,
      log: (level, message) => ctx.logger.log(level, message),
    },
    close: () => pubsub.close(),
  };
}
