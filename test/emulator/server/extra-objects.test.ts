import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { createOrg } from '../../../emulator/org/org.js';
import { generatedObjects, OBJECTS } from '../../../emulator/org/schema.js';
import { api, login } from './http-client.js';

let em: Emulator;
let token: string;
const V = '/services/data/v62.0';
const LATENCY = 150;

beforeAll(async () => {
  em = await startEmulator({ records: 5, seed: 8, extraObjects: 60 });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  em.settings.latencyMs = 0;
});

const describeBatch = (names: string[]) =>
  api(em, token, `${V}/composite/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ batchRequests: names.map((n) => ({ method: 'GET', url: `v62.0/sobjects/${n}/describe` })) }),
  });

describe('extra generated objects', () => {
  it('appear in describeGlobal, describe and composite batches, with about 30 fields of assorted types and a few rows', async () => {
    const global = (await api(em, token, `${V}/sobjects`)).json<{ sobjects: { name: string; custom: boolean; queryable: boolean }[] }>();
    const generated = global.sobjects.filter((s) => s.name.startsWith('Generated_'));
    expect(generated.map((s) => s.name)).toEqual(Array.from({ length: 60 }, (_, i) => `Generated_${String(i + 1).padStart(4, '0')}__c`));
    expect(generated.every((s) => s.custom && s.queryable)).toBe(true);

    const describe = (await api(em, token, `${V}/sobjects/Generated_0042__c/describe`)).json<{ fields: { name: string; type: string; picklistValues: { value: string }[] }[] }>();
    expect(describe.fields.length).toBeGreaterThanOrEqual(28);
    expect(new Set(describe.fields.map((f) => f.type))).toEqual(new Set(['id', 'string', 'double', 'boolean', 'date', 'datetime', 'picklist', 'currency', 'email', 'int', 'textarea', 'reference']));
    expect(describe.fields.find((f) => f.name === 'SystemModstamp')?.type).toBe('datetime');

    const names = generated.slice(0, 25).map((s) => s.name);
    const body = (await describeBatch(names)).json<{ hasErrors: boolean; results: { statusCode: number; result: { name: string } }[] }>();
    expect(body.hasErrors).toBe(false);
    expect(body.results.map((r) => r.result.name)).toEqual(names);

    const rows = [...em.org.prepareQuery('SELECT Id, Name, Field_06__c FROM Generated_0042__c', { includeDeleted: true }).rows()];
    expect(rows).toHaveLength(3);
    const picklist = describe.fields.find((f) => f.name === 'Field_06__c')!.picklistValues.map((p) => p.value);
    for (const row of rows) if (row.values[2] !== null) expect(picklist).toContain(row.values[2]);
  });

  it('have key prefixes of their own, however many there are', () => {
    const org = createOrg({ seed: 1, records: 1, objects: [...OBJECTS, ...generatedObjects(5000)] });
    const prefixes = org.describeGlobal().sobjects.map((s) => s.keyPrefix).filter((p) => p !== null);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    const last = org.describe('Generated_5000__c')!;
    const [row] = [...org.prepareQuery('SELECT Id FROM Generated_5000__c LIMIT 1', { includeDeleted: true }).rows()];
    expect(row!.id.startsWith(last.keyPrefix!)).toBe(true);
    expect(org.getRecord('Generated_5000__c', row!.id)?.Id).toBe(row!.id);
  });
});

describe('latency', () => {
  beforeEach(() => {
    em.journal.clear();
  });

  it('delays each describe by the configured latency', async () => {
    em.settings.latencyMs = LATENCY;
    const started = performance.now();
    const res = await api(em, token, `${V}/sobjects/Generated_0001__c/describe`);
    expect(res.status).toBe(200);
    // A sleep never ends early: this lower bound holds however loaded the machine is.
    expect(performance.now() - started).toBeGreaterThanOrEqual(LATENCY - 1);
    expect(em.journal.entries().map((e) => e.latencyMs)).toEqual([LATENCY]);
  });

  it('delays a composite batch once as a whole, not once per subrequest', async () => {
    em.settings.latencyMs = LATENCY;
    const res = await describeBatch(Array.from({ length: 25 }, (_, i) => `Generated_${String(i + 1).padStart(4, '0')}__c`));
    expect(res.json<{ hasErrors: boolean }>().hasErrors).toBe(false);
    expect(em.journal.entries().map((e) => e.latencyMs)).toEqual([LATENCY]);
  });

  it('delays concurrent requests side by side, as separate connections to an org are', async () => {
    em.settings.latencyMs = LATENCY;
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => api(em, token, `${V}/sobjects/Generated_${String(i + 11).padStart(4, '0')}__c/describe`)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const entries = em.journal.entries();
    expect(entries.map((e) => e.latencyMs)).toEqual(Array(10).fill(LATENCY));
    // Every request was under way before any of them was answered: the waits overlapped.
    expect(Math.max(...entries.map((e) => e.startedAt))).toBeLessThan(Math.min(...entries.map((e) => e.startedAt + e.durationMs)));
  });
});
