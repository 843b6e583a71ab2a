import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import type { OrgCommit } from '../../../emulator/org/org.js';
import { api, login } from './http-client.js';

let em: Emulator;
let token: string;
const V = '/services/data/v62.0';
const commits: OrgCommit[] = [];
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  em = await startEmulator({ records: 20, seed: 4 });
  token = await login(em);
  em.org.onCommit((c) => commits.push(c));
});
afterAll(async () => {
  await em.close();
});

describe('commit listeners', () => {
  it('see a REST create, update and delete as three commits, in order, with what changed', async () => {
    commits.length = 0;
    const created = await api(em, token, `${V}/sobjects/Account`, json({ Name: 'Commit Co', Industry: 'Energy' }));
    expect(created.status).toBe(201);
    const id = created.json<{ id: string }>().id;
    const updated = await api(em, token, `${V}/sobjects/Account/${id}`, { ...json({ Industry: null, Name: 'Commit Co 2' }), method: 'PATCH' });
    expect(updated.status).toBe(204);
    const deleted = await api(em, token, `${V}/sobjects/Account/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);

    expect(commits.map((c) => [c.sobject, c.changeType, c.recordIds])).toEqual([
      ['Account', 'create', [id]],
      ['Account', 'update', [id]],
      ['Account', 'delete', [id]],
    ]);
    const [create, update, del] = commits as [OrgCommit, OrgCommit, OrgCommit];
    expect(create.changedFields).toEqual(expect.arrayContaining(['Id', 'Name', 'Industry', 'CreatedDate', 'SystemModstamp']));
    expect(create.values.get(id)).toMatchObject({ Name: 'Commit Co', Industry: 'Energy' });
    expect(update.changedFields).toEqual(expect.arrayContaining(['Industry', 'Name', 'LastModifiedDate', 'SystemModstamp']));
    expect(update.changedFields).not.toContain('Phone');
    expect(update.nulledFields).toEqual(['Industry']);
    expect(del.changedFields).toContain('IsDeleted');
    // The commit time is the record's SystemModstamp; sequence and transaction keys tell commits apart.
    const record = em.org.getRecord('Account', id)!;
    expect(new Date(del.commitTimestamp).toISOString()).toBe(record['SystemModstamp']);
    expect(commits.map((c) => c.sequence)).toEqual([create.sequence, create.sequence + 1, create.sequence + 2]);
    expect(new Set(commits.map((c) => c.transactionKey)).size).toBe(3);
    expect(create.commitTimestamp).toBeLessThan(update.commitTimestamp);
  });

  it('see each write of a composite batch, and none for its refused or failed subrequests', async () => {
    commits.length = 0;
    const reply = await api(em, token, `${V}/composite/batch`, json({
      batchRequests: [
        { method: 'POST', url: 'v62.0/sobjects/Contact', richInput: { LastName: 'Batch' } },
        { method: 'PATCH', url: 'v62.0/sobjects/Contact/003000000000000AAA', richInput: { LastName: 'Missing' } },
        { method: 'GET', url: 'v62.0/jobs/query' },
      ],
    }));
    expect(reply.status).toBe(200);
    const results = reply.json<{ results: { statusCode: number; result: { id?: string } | null }[] }>().results;
    expect(results.map((r) => r.statusCode)).toEqual([201, 404, 400]);
    expect(commits.map((c) => [c.sobject, c.changeType, c.recordIds])).toEqual([['Contact', 'create', [results[0]!.result!.id]]]);
  });

  it('see writes made through the programmatic mutations, and stop when removed', () => {
    commits.length = 0;
    const seen: string[] = [];
    const stop = em.org.onCommit((c) => seen.push(c.changeType));
    const id = em.mutate.create('Lead', { LastName: 'Direct', Company: 'Direct Co', Status: 'Open - Not Contacted' });
    em.mutate.update('Lead', id, { Company: 'Direct Co 2' });
    stop();
    em.mutate.delete('Lead', id);
    expect(seen).toEqual(['create', 'update']);
    expect(commits.map((c) => c.changeType)).toEqual(['create', 'update', 'delete']);
  });

  it('advance the revision that query results are keyed on', () => {
    const before = em.org.revision();
    em.mutate.create('Account', { Name: 'Revision Co' });
    expect(em.org.revision()).toBe(before + 1);
  });
});
