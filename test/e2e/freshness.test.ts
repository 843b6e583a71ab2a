/**
 * Freshness of polled data, end to end against the emulator: hard deletes arrive as tombstones
 * (getDeleted, at most once per stream per run), soft deletes as records with IsDeleted, formula
 * values follow their inputs with `formula_fields: refresh`, are never read with `exclude`, and a
 * last run older than getDeleted's 30 days gets one warning or a full re-read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

const STREAMS = ['Account', 'Contact', 'Invoice__c'];
const DAY = 86_400_000;
let emulator: Emulator;
/** The org's clock runs behind while rows change, then catches up: getDeleted covers whole past minutes only. */
let offset = 0;
let config: Record<string, unknown>;

beforeAll(async () => {
  emulator = await startEmulator({ records: 120, seed: 23, now: () => Date.now() + offset });
  config = { ...emulator.tapConfig('password'), streams_include: STREAMS, formula_fields: 'refresh' };
});

afterAll(async () => {
  await emulator.close();
});

async function inThePast(change: () => Promise<void>): Promise<void> {
  offset = -5 * 60_000;
  try {
    await change();
  } finally {
    offset = 0;
  }
}

function orgRows(soql: string, includeDeleted = true): { id: string; values: unknown[] }[] {
  return [...emulator.org.prepareQuery(soql, { includeDeleted }).rows()].map((r) => ({ id: r.id, values: r.values }));
}

/** Live Contacts of one Account with at least two Contacts, and three more Contacts of other Accounts. */
function pickContacts(skip: Set<string>): { accountId: string; family: string[]; others: string[] } {
  const contacts = orgRows('SELECT Id, AccountId FROM Contact WHERE IsDeleted = false AND AccountId != null ORDER BY Id', false).filter((r) => !skip.has(r.id));
  const byAccount = new Map<string, string[]>();
  for (const c of contacts) byAccount.set(c.values[1] as string, [...(byAccount.get(c.values[1] as string) ?? []), c.id]);
  const [accountId, family] = [...byAccount.entries()].find(([, list]) => list.length >= 2)!;
  return { accountId, family, others: contacts.filter((c) => c.values[1] !== accountId).slice(0, 5).map((c) => c.id) };
}

const deletedAt = (record: Record<string, unknown>) => record._sdc_deleted_at ?? record._ab_cdc_deleted_at;

function singerState(run: TapRun): unknown {
  return run.ofType('STATE').at(-1)!.value;
}

function airbyteState(run: TapRun): { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }[] {
  const last = new Map<string, { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } }>();
  for (const m of run.ofType('STATE')) {
    const state = m.state as { type: string; stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } };
    last.set(state.stream.stream_descriptor.name, state);
  }
  return [...last.values()];
}

async function airbyteCatalog(): Promise<unknown> {
  const run = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
  const streams = (run.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams;
  return { streams: streams.filter((s) => STREAMS.includes(s.name)).map((stream) => ({ stream, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' })) };
}

/** Runs an incremental read and what it tells about deletes: tombstones, soft-deleted records, getDeleted calls. */
async function readAfterChanges(protocol: 'singer' | 'airbyte', state: unknown, extra: Record<string, unknown> = {}, catalog?: unknown) {
  const before = emulator.journal.countCalls('rest.deleted');
  const files = { 'config.json': { ...config, ...extra }, 'state.json': state, ...(catalog ? { 'catalog.json': catalog } : {}) };
  const args = protocol === 'singer' ? ['--config', '{file:config.json}', '--state', '{file:state.json}'] : ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'];
  const run = await runTap(args, { files });
  expect(run.exitCode, run.stderr).toBe(0);
  return { run, getDeletedCalls: emulator.journal.countCalls('rest.deleted') - before };
}

function expectDeletes(run: TapRun, soft: string[], gone: string[]): void {
  const contacts = run.records().get('Contact') ?? [];
  const tombstoned = new Set(contacts.filter((r) => deletedAt(r)).map((r) => r.Id));
  for (const id of gone) expect(tombstoned.has(id), `tombstone for ${id}`).toBe(true);
  for (const record of contacts.filter((r) => deletedAt(r))) expect(record).toMatchObject({ IsDeleted: true, SystemModstamp: deletedAt(record) });
  for (const id of soft) {
    // As today: the row arrives with IsDeleted, and its last message is the row itself, so the destination keeps it.
    const last = contacts.filter((r) => r.Id === id).at(-1);
    expect(last, `record for ${id}`).toMatchObject({ Id: id, IsDeleted: true });
    expect(deletedAt(last!) ?? null).toBeNull();
    expect(last!.LastName).toBeDefined();
  }
}

function orgLabels(accountId: string): Map<string, string | null> {
  return new Map(orgRows(`SELECT Id, Mailing_Label__c FROM Contact WHERE AccountId = '${accountId}'`, false).map((r) => [r.id, r.values[1] as string | null]));
}

describe.each(['singer', 'airbyte'] as const)('freshness (%s)', (protocol) => {
  let catalog: unknown;
  let full: TapRun;
  const touched = new Set<string>();

  beforeAll(async () => {
    if (protocol === 'airbyte') catalog = await airbyteCatalog();
    const args = protocol === 'singer' ? ['--config', '{file:config.json}'] : ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'];
    full = await runTap(args, { files: { 'config.json': config, ...(catalog ? { 'catalog.json': catalog } : {}) } });
    expect(full.exitCode, full.stderr).toBe(0);
  }, 120_000);

  it('emits hard deletes as tombstones and soft deletes as records, with one getDeleted call per stream', async () => {
    const { accountId, family, others } = pickContacts(touched);
    const [soft1, soft2, hard1, hard2, purged] = others as [string, string, string, string, string];
    for (const id of [...family, ...others]) touched.add(id);
    await inThePast(async () => {
      emulator.mutate.delete('Contact', soft1);
      emulator.mutate.delete('Contact', soft2);
      emulator.mutate.hardDelete('Contact', [hard1]);
      emulator.mutate.delete('Contact', purged);
      emulator.mutate.update('Account', accountId, { Name: `Renamed for ${protocol}` });
      const control = await fetch(`${emulator.instanceUrl}/_emulator/hard-delete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sobject: 'Contact', ids: [hard2] }) });
      expect(control.status).toBe(200);
      expect(emulator.mutate.emptyRecycleBin('Contact', [purged])).toBe(1);
    });

    const state = protocol === 'singer' ? singerState(full) : airbyteState(full);
    const { run, getDeletedCalls } = await readAfterChanges(protocol, state, {}, catalog);
    expectDeletes(run, [soft1, soft2], [hard1, hard2, purged]);
    expect(getDeletedCalls).toBe(STREAMS.length);

    // The refresh is not due yet: the renamed Account's Contacts did not change, so they are not re-read.
    const contacts = run.records().get('Contact') ?? [];
    expect(contacts.filter((r) => family.includes(r.Id as string))).toEqual([]);

    // Once the interval has passed, Contact is re-read in full and every label equals the org's.
    const next = protocol === 'singer' ? (singerState(run) as { bookmarks: Record<string, Record<string, unknown>> }) : airbyteState(run);
    const old = new Date(Date.now() - 2 * DAY).toISOString();
    if (protocol === 'singer') (next as { bookmarks: Record<string, Record<string, unknown>> }).bookmarks.Contact!.formulas_refreshed_at = old;
    else (next as ReturnType<typeof airbyteState>).find((s) => s.stream.stream_descriptor.name === 'Contact')!.stream.stream_state.formulas_refreshed_at = old;
    const refreshed = await readAfterChanges(protocol, next, {}, catalog);
    expect(refreshed.getDeletedCalls).toBeLessThanOrEqual(STREAMS.length);
    const labels = new Map((refreshed.run.records().get('Contact') ?? []).map((r) => [r.Id as string, r.Mailing_Label__c]));
    for (const [id, label] of orgLabels(accountId)) expect(labels.get(id), id).toBe(label);
    expect([...orgLabels(accountId).values()].every((l) => l?.endsWith(`(Renamed for ${protocol})`))).toBe(true);
    expect(new Set(labels.keys())).toEqual(new Set(orgRows('SELECT Id FROM Contact').map((r) => r.id)));
    // Streams whose refresh is not due stay incremental.
    expect((refreshed.run.records().get('Account') ?? []).length).toBeLessThan(orgRows('SELECT Id FROM Account').length);
  });

  it('warns once about deletes older than 30 days, or re-reads the stream in full with deleted_gap: full_refresh', async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const state = protocol === 'singer'
      ? { bookmarks: { Contact: { SystemModstamp: old, deletes_covered_until: old, formulas_refreshed_at: new Date().toISOString() } } }
      : [{ type: 'STREAM', stream: { stream_descriptor: { name: 'Contact' }, stream_state: { SystemModstamp: old, deletes_covered_until: old, formulas_refreshed_at: new Date().toISOString() } } }];
    const contactOnly = catalog ? { streams: (catalog as { streams: { stream: { name: string } }[] }).streams.filter((s) => s.stream.name === 'Contact') } : undefined;
    const warned = await readAfterChanges(protocol, state, { streams_include: ['Contact'] }, contactOnly);
    const warnings = warned.run.stderr.split('\n').filter((line) => /Contact: rows deleted from .* cannot be listed any more/.test(line));
    expect(warnings, warned.run.stderr).toHaveLength(1);
    expect(warnings[0]).toContain(old);
    expect(warned.getDeletedCalls).toBe(1);

    const full = await readAfterChanges(protocol, state, { streams_include: ['Contact'], deleted_gap: 'full_refresh' }, contactOnly);
    expect(full.run.stderr).toMatch(/re-reading the stream in full \(deleted_gap: full_refresh\)/);
    const ids = new Set((full.run.records().get('Contact') ?? []).filter((r) => !deletedAt(r)).map((r) => r.Id));
    expect(ids).toEqual(new Set(orgRows('SELECT Id FROM Contact').map((r) => r.id)));
  });
});

describe('formula_fields: exclude', () => {
  it('never selects a formula field: not in the schema, not in any query, not in any record', async () => {
    const before = emulator.journal.entries({ route: /^rest\.query/ }).length;
    const run = await runTap(['--config', '{file:config.json}'], { files: { 'config.json': { ...config, formula_fields: 'exclude', api_type: 'rest' } } });
    expect(run.exitCode, run.stderr).toBe(0);
    const formulas = ['Mailing_Label__c', 'Total__c', 'Account_Rating__c'];
    const queries = emulator.journal.entries({ route: /^rest\.query/ }).slice(before).map((e) => JSON.stringify(e.query));
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) for (const f of formulas) expect(q).not.toContain(f);
    for (const schema of run.ofType('SCHEMA')) for (const f of formulas) expect((schema.schema as { properties: object }).properties).not.toHaveProperty(f);
    for (const records of run.records().values()) for (const r of records) for (const f of formulas) expect(r).not.toHaveProperty(f);
    expect(run.records().get('Contact')!.length).toBeGreaterThan(0);
  });
});
