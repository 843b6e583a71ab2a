import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { connectSalesforce, type ConnectedClient } from '../../src/salesforce/http/connect-client.js';
import { buildPubSubAuth } from '../../src/salesforce/pubsub/pubsub-auth.js';
import { PubSubClient, PubSubReplayIdError, type PubSubBatch, type ReplayStart } from '../../src/salesforce/pubsub/pubsub-client.js';
import type { ChangeEvent } from '../../src/salesforce/pubsub/change-event.js';

let em: Emulator;
let connected: ConnectedClient;
let pubsub: PubSubClient;

beforeAll(async () => {
  em = await startEmulator({ records: 50, seed: 11, cdcObjects: ['Account'] });
  connected = await connectSalesforce(parseConfig(em.tapConfig('oauth_refresh_token')));
  pubsub = new PubSubClient({ endpoint: em.pubsub.url, tls: 'auto', auth: buildPubSubAuth(connected.client), maxReconnects: 5, backoffBaseMs: 10, backoffMaxMs: 50 });
});
afterAll(async () => {
  pubsub.close();
  await connected.close();
  await em.close();
});

/** Reads until `count` events arrived (keepalives skipped), then stops the subscription. */
async function take(start: ReplayStart, count: number, options: { batchSize?: number; onBatch?: (b: PubSubBatch) => void } = {}): Promise<ChangeEvent[]> {
  const abort = new AbortController();
  const out: ChangeEvent[] = [];
  for await (const batch of pubsub.subscribe({ topic: '/data/AccountChangeEvent', start, batchSize: options.batchSize ?? 100, idleMs: 5000, signal: abort.signal })) {
    options.onBatch?.(batch);
    out.push(...batch.events);
    if (out.length >= count) break;
  }
  abort.abort();
  return out;
}

async function position(): Promise<Buffer> {
  const abort = new AbortController();
  for await (const batch of pubsub.subscribe({ topic: '/data/AccountChangeEvent', start: { preset: 'LATEST' }, batchSize: 1, idleMs: 5000, signal: abort.signal })) {
    abort.abort();
    return batch.latestReplayId ?? Buffer.alloc(0);
  }
  throw new Error('no response');
}

describe('Pub/Sub API client', () => {
  it('decodes change event headers and pulls no more than its batch size per request', async () => {
    const from = await position();
    const ids = Array.from({ length: 7 }, (_, i) => em.mutate.create('Account', { Name: `Client ${i}` }));
    const sizes: number[] = [];
    const events = await take({ preset: 'CUSTOM', replayId: from }, 7, { batchSize: 3, onBatch: (b) => sizes.push(b.events.length) });
    expect(events.map((e) => e.header.recordIds[0])).toEqual(ids);
    expect(events.every((e) => e.header.changeType === 'CREATE' && e.header.entityName === 'Account')).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('resubscribes from the last event handed out when the stream drops mid-batch', async () => {
    const from = await position();
    em.pubsub.dropStreamsAfter(2, 2);
    const ids = Array.from({ length: 6 }, (_, i) => em.mutate.create('Account', { Name: `Drop ${i}` }));
    const subscribes = em.pubsub.stats().subscribes;
    const events = await take({ preset: 'CUSTOM', replayId: from }, 6);
    expect(events.map((e) => e.header.recordIds[0])).toEqual(ids);
    expect(em.pubsub.stats().subscribes - subscribes).toBeGreaterThanOrEqual(3);
  });

  it('logs in again and resubscribes after the session expired', async () => {
    const from = await position();
    const logins = connected.logins();
    em.expireSessions();
    const id = em.mutate.create('Account', { Name: 'After expiry' });
    const events = await take({ preset: 'CUSTOM', replayId: from }, 1);
    expect(events[0]!.header.recordIds).toEqual([id]);
    expect(connected.logins()).toBeGreaterThan(logins);
  });

  it('fails with a replay id error when the stored replay id is no longer retained', async () => {
    const from = await position();
    em.mutate.create('Account', { Name: 'Expiring' });
    em.pubsub.advanceClock(73 * 3600 * 1000);
    await expect(take({ preset: 'CUSTOM', replayId: from }, 1)).rejects.toBeInstanceOf(PubSubReplayIdError);
  });

  it('names the setup step when the object is not selected for Change Data Capture', async () => {
    await expect(pubsub.getTopic('/data/OpportunityChangeEvent')).rejects.toMatchObject({ code: 'SF_PUBSUB_TOPIC_UNAVAILABLE' });
  });
});
