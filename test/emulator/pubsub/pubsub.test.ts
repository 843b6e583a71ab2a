import { status } from '@grpc/grpc-js';
import avro from 'avsc';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { authMetadata, connect, subscribe, unary } from './grpc-client.js';

let em: Emulator;
let client: ReturnType<typeof connect>;

beforeAll(async () => {
  em = await startEmulator({ records: 50, seed: 3, cdcObjects: ['Account', 'Contact'] });
  client = connect(em);
});
afterAll(async () => {
  client.close();
  await em.close();
});
beforeEach(() => {
  em.pubsub.select(['Account', 'Contact']);
  em.pubsub.settings.keepaliveMs = 1000;
});

async function decoder(schemaId: string, md = authMetadata(em)) {
  const info = await unary<{ schema_json: string }>(client, 'GetSchema', { schema_id: schemaId }, md);
  return avro.Type.forSchema(JSON.parse(info.schema_json) as avro.Schema);
}

/** Subscribes at the tip and waits for the first keepalive, so later DML is what arrives next. */
async function atTip(topic = '/data/AccountChangeEvent', num = 100) {
  const s = subscribe(client, authMetadata(em));
  s.fetch({ topic_name: topic, replay_preset: 'LATEST', num_requested: num });
  const first = await s.next();
  expect(first.events).toHaveLength(0);
  return s;
}

type Header = { entityName: string; recordIds: string[]; changeType: string; commitTimestamp: number; changedFields: string[]; nulledFields: string[] };

describe('Pub/Sub API topics and schemas', () => {
  it('serves GetTopic for a selected object and fails an unselected one as a real org does', async () => {
    const md = authMetadata(em);
    const topic = await unary<{ schema_id: string; can_subscribe: boolean; tenant_guid: string }>(client, 'GetTopic', { topic_name: '/data/AccountChangeEvent' }, md);
    expect(topic.can_subscribe).toBe(true);
    expect(topic.schema_id).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    await expect(unary(client, 'GetTopic', { topic_name: '/data/OpportunityChangeEvent' }, md)).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(unary(client, 'GetTopic', { topic_name: '/data/ChangeEvents' }, md)).resolves.toMatchObject({ can_subscribe: true });
  });

  it('builds the Avro schema from the describe with ChangeEventHeader first and no formula fields', async () => {
    const md = authMetadata(em);
    const topic = await unary<{ schema_id: string }>(client, 'GetTopic', { topic_name: '/data/AccountChangeEvent' }, md);
    const info = await unary<{ schema_json: string }>(client, 'GetSchema', { schema_id: topic.schema_id }, md);
    const schema = JSON.parse(info.schema_json) as { name: string; fields: { name: string; type: unknown }[] };
    expect(schema.name).toBe('AccountChangeEvent');
    expect(schema.fields[0]!.name).toBe('ChangeEventHeader');
    const names = schema.fields.map((f) => f.name);
    expect(names).toContain('BillingAddress');
    expect(names).not.toContain('BillingCity');
    const formulas = em.org.describe('Account')!.fields.filter((f) => f.calculated).map((f) => f.name);
    for (const f of formulas) expect(names).not.toContain(f);
  });

  it('refuses a wrong token, instance URL or tenant id with UNAUTHENTICATED', async () => {
    const topic = { topic_name: '/data/AccountChangeEvent' };
    await expect(unary(client, 'GetTopic', topic, authMetadata(em, 'nope'))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(unary(client, 'GetTopic', topic, authMetadata(em, undefined, { instanceurl: 'https://elsewhere.example' }))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(unary(client, 'GetTopic', topic, authMetadata(em, undefined, { tenantid: '00D000000000000AAA' }))).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });
});

describe('Pub/Sub API Subscribe', () => {
  it('delivers an event after each committed DML, with bitmaps, nulled fields and epoch dates', async () => {
    const s = await atTip();
    const id = em.mutate.create('Account', { Name: 'Acme CDC', Phone: '555-0100' });
    em.mutate.update('Account', id, { Phone: null, Industry: 'Energy' });
    em.mutate.delete('Account', id);
    const events = await s.events(3);
    s.close();
    const type = await decoder(events[0]!.event.schema_id);
    const decoded = events.map((e) => type.fromBuffer(e.event.payload) as Record<string, unknown> & { ChangeEventHeader: Header });
    expect(decoded.map((d) => d.ChangeEventHeader.changeType)).toEqual(['CREATE', 'UPDATE', 'DELETE']);
    expect(decoded.every((d) => d.ChangeEventHeader.recordIds[0] === id)).toBe(true);
    expect(decoded[0]!['Name']).toBe('Acme CDC');
    expect(typeof decoded[0]!['CreatedDate']).toBe('number');
    const update = decoded[1]!;
    expect(update['Name']).toBeNull();
    expect(update['Industry']).toBe('Energy');
    const positions = (bitmap: string) => {
      const out: string[] = [];
      const fields = (type as unknown as { fields: { name: string }[] }).fields;
      let bits = BigInt(bitmap);
      for (let i = 0; bits > 0n; i += 1, bits >>= 1n) if (bits & 1n) out.push(fields[i]!.name);
      return out;
    };
    expect(positions(update.ChangeEventHeader.changedFields[0]!)).toEqual(expect.arrayContaining(['Phone', 'Industry', 'LastModifiedDate']));
    expect(positions(update.ChangeEventHeader.nulledFields[0]!)).toEqual(['Phone']);
    // Replay ids are opaque and not contiguous.
    const ids = events.map((e) => e.replay_id.readBigUInt64BE());
    expect(new Set(ids).size).toBe(3);
  });

  it('undelete restores a recycle-bin row, advances SystemModstamp and publishes UNDELETE with the whole row', async () => {
    const id = em.mutate.create('Account', { Name: 'Lazarus', Industry: 'Energy' });
    em.mutate.delete('Account', id);
    const deleted = em.org.getRecord('Account', id)!;
    expect(deleted['IsDeleted']).toBe(true);
    expect(() => em.mutate.undelete('Account', em.mutate.create('Account', { Name: 'Alive' }))).toThrow(/not in the recycle bin/);
    const s = await atTip();
    em.mutate.undelete('Account', id);
    const [event] = await s.events(1);
    s.close();
    const restored = em.org.getRecord('Account', id)!;
    expect(restored['IsDeleted']).toBe(false);
    expect(Date.parse(String(restored['SystemModstamp']))).toBeGreaterThan(Date.parse(String(deleted['SystemModstamp'])));
    const live = [...em.org.prepareQuery(`SELECT Id FROM Account WHERE Id = '${id}'`, { includeDeleted: false }).rows()];
    expect(live).toHaveLength(1);
    const type = await decoder(event!.event.schema_id);
    const decoded = type.fromBuffer(event!.event.payload) as Record<string, unknown> & { ChangeEventHeader: Header };
    expect(decoded.ChangeEventHeader.changeType).toBe('UNDELETE');
    expect(decoded.ChangeEventHeader.recordIds).toEqual([id]);
    expect(decoded['Name']).toBe('Lazarus');
    expect(decoded['Industry']).toBe('Energy');
    expect(decoded['IsDeleted']).toBe(false);
    // A row purged from the recycle bin cannot come back.
    em.mutate.hardDelete('Account', [id]);
    expect(() => em.mutate.undelete('Account', id)).toThrow();
  });

  it('names several records in one event when a transaction changes them the same way', async () => {
    const s = await atTip();
    const a = em.mutate.create('Account', { Name: 'T1' });
    const b = em.mutate.create('Account', { Name: 'T2' });
    await s.events(2);
    em.pubsub.transaction(() => {
      em.mutate.update('Account', a, { Rating: 'Hot' });
      em.mutate.update('Account', b, { Rating: 'Hot' });
    });
    const [event] = await s.events(1);
    s.close();
    const type = await decoder(event!.event.schema_id);
    const header = (type.fromBuffer(event!.event.payload) as { ChangeEventHeader: Header }).ChangeEventHeader;
    expect(header.recordIds).toEqual([a, b]);
  });

  it('never sends more events than requested, and keepalives carry the latest replay id', async () => {
    const s = await atTip('/data/AccountChangeEvent', 2);
    for (let i = 0; i < 5; i += 1) em.mutate.create('Account', { Name: `Flow ${i}` });
    const first = await s.events(2);
    expect(first).toHaveLength(2);
    // Nothing more until asked: the next response is a keepalive.
    em.pubsub.settings.keepaliveMs = 50;
    const keepalive = await s.next();
    expect(keepalive.events).toHaveLength(0);
    expect(keepalive.latest_replay_id.equals(em.pubsub.log.latestReplayId())).toBe(true);
    s.fetch({ topic_name: '/data/AccountChangeEvent', num_requested: 3 });
    expect(await s.events(3)).toHaveLength(3);
    s.close();
  });

  it('replays after a CUSTOM replay id and from EARLIEST, and refuses num_requested over 100', async () => {
    const s = await atTip();
    const ids = [0, 1, 2].map((i) => em.mutate.create('Account', { Name: `Replay ${i}` }));
    const events = await s.events(3);
    s.close();
    const r = subscribe(client, authMetadata(em));
    r.fetch({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: events[0]!.replay_id, num_requested: 10 });
    const replayed = await r.events(2);
    expect(replayed.map((e) => e.replay_id.toString('hex'))).toEqual(events.slice(1).map((e) => e.replay_id.toString('hex')));
    r.close();
    expect(ids).toHaveLength(3);
    const bad = subscribe(client, authMetadata(em));
    bad.fetch({ topic_name: '/data/AccountChangeEvent', num_requested: 101 });
    await expect(bad.next()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('filters by topic and serves every selected object on /data/ChangeEvents', async () => {
    const s = await atTip('/data/ChangeEvents');
    const account = em.mutate.create('Account', { Name: 'Multi' });
    const contact = em.mutate.create('Contact', { LastName: 'Multi' });
    const events = await s.events(2);
    s.close();
    const entities = await Promise.all(events.map(async (e) => ((await decoder(e.event.schema_id)).fromBuffer(e.event.payload) as { ChangeEventHeader: Header }).ChangeEventHeader.recordIds[0]));
    expect(entities).toEqual([account, contact]);
  });

  it('fails a replay id past the 72-hour retention, and one it never issued', async () => {
    const s = await atTip();
    em.mutate.create('Account', { Name: 'Old' });
    em.mutate.create('Account', { Name: 'Older than retention too' });
    const [old] = await s.events(2);
    s.close();
    em.pubsub.advanceClock(73 * 3600 * 1000);
    // The latest replay id stays a valid start (keepalives hand it out); older ones do not.
    const latest = subscribe(client, authMetadata(em));
    latest.fetch({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: em.pubsub.log.latestReplayId(), num_requested: 10 });
    expect((await latest.next()).events).toHaveLength(0);
    latest.close();
    const r = subscribe(client, authMetadata(em));
    r.fetch({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: old!.replay_id, num_requested: 10 });
    await expect(r.next()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const bad = subscribe(client, authMetadata(em));
    bad.fetch({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: Buffer.from('zz'), num_requested: 10 });
    await expect(bad.next()).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('publishes GAP_* events with record ids and GAP_OVERFLOW with none', async () => {
    const s = await atTip();
    em.pubsub.gap('Account', ['001000000000001AAA'], 'GAP_UPDATE');
    em.pubsub.overflow('Account');
    const events = await s.events(2);
    s.close();
    const type = await decoder(events[0]!.event.schema_id);
    const headers = events.map((e) => (type.fromBuffer(e.event.payload) as { ChangeEventHeader: Header }).ChangeEventHeader);
    expect(headers.map((h) => [h.changeType, h.recordIds])).toEqual([['GAP_UPDATE', ['001000000000001AAA']], ['GAP_OVERFLOW', []]]);
  });

  it('drops a stream mid-batch with UNAVAILABLE and ends open streams when the session expires', async () => {
    const s = await atTip();
    em.pubsub.dropStreamsAfter(2);
    s.close();
    const d = subscribe(client, authMetadata(em));
    d.fetch({ topic_name: '/data/AccountChangeEvent', replay_preset: 'LATEST', num_requested: 100 });
    await d.next();
    for (let i = 0; i < 5; i += 1) em.mutate.create('Account', { Name: `Drop ${i}` });
    const got: unknown[] = [];
    await expect((async () => {
      for (;;) got.push(...(await d.next()).events);
    })()).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(got).toHaveLength(2);
    const e = await atTip();
    em.pubsub.settings.keepaliveMs = 50;
    em.expireSessions();
    await expect((async () => {
      for (;;) await e.next();
    })()).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('restarts: open streams end with UNAVAILABLE and the same address serves again', async () => {
    const s = await atTip();
    const url = em.pubsub.url;
    await em.pubsub.restart();
    await expect((async () => {
      for (;;) await s.next();
    })()).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(em.pubsub.url).toBe(url);
    const again = await atTip();
    again.close();
  });
});
