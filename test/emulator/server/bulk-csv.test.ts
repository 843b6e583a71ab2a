import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index.js';
import { createOrg } from '../../../emulator/org/org.js';
import type { FieldValue, PreparedQuery } from '../../../emulator/org/types.js';
import { ChunkPool, csvPage, type CsvFormat } from '../../../emulator/server/bulk-csv.js';
import { api, login } from './http-client.js';

// Accented and CJK names, multi-line quoted text: multi-byte rows fall across chunk boundaries.
const org = createOrg({ seed: 2, records: 6000 });
const query = org.prepareQuery('SELECT Id, Name, Description, BillingStreet, AnnualRevenue, NumberOfEmployees, Active__c, CreatedDate FROM Account', { includeDeleted: true });
const format: CsvFormat = { delimiter: ',', lineEnding: '\n', nulls: 'empty' };

/** The page as one string, the obvious way. */
function expectedPage(q: PreparedQuery, offset: number, count: number): string {
  const cell = (v: FieldValue) => (v === null ? '' : `"${String(typeof v === 'object' ? JSON.stringify(v) : v).replaceAll('"', '""')}"`);
  const lines = [q.columns.map((c) => `"${c.path}"`).join(',')];
  for (const row of [...q.rows(offset)].slice(0, count)) lines.push(row.values.map(cell).join(','));
  return `${lines.join('\n')}\n`;
}

describe('Bulk CSV pages', () => {
  it('are byte for byte the page rendered in one piece, whether or not chunks are handed back for reuse', () => {
    const total = query.totalSize();
    const expected = Buffer.from(expectedPage(query, 100, total - 100), 'utf8');
    expect(expected.length).toBeGreaterThan(4 * 256 * 1024);
    const pool = new ChunkPool();
    const reused: Buffer[] = [];
    for (const chunk of csvPage(query, 100, total - 100, format, pool)) {
      expect(chunk.length).toBeLessThanOrEqual(256 * 1024);
      reused.push(Buffer.from(chunk));
      pool.give(chunk);
    }
    expect(Buffer.concat(reused).equals(expected)).toBe(true);
    const kept = [...csvPage(query, 100, total - 100, format)];
    expect(new Set(kept.map((c) => c.buffer)).size).toBe(kept.length);
    expect(Buffer.concat(kept).equals(expected)).toBe(true);
  });

  it('reuse a handful of buffers however long the page', () => {
    const pool = new ChunkPool();
    const buffers = new Set<ArrayBufferLike>();
    for (const chunk of csvPage(query, 0, query.totalSize(), format, pool)) {
      buffers.add(chunk.buffer);
      pool.give(chunk);
    }
    expect(buffers.size).toBe(1);
  });

  it('reach the client intact through reused buffers, plain and gzipped', async () => {
    const em = await startEmulator({ records: 6000, seed: 2, settings: { bulkJobDelayMs: 0 } });
    try {
      const token = await login(em);
      const V = '/services/data/v62.0';
      const soql = 'SELECT Id, Name, Description, BillingStreet, AnnualRevenue, CreatedDate FROM Account';
      const job = (await api(em, token, `${V}/jobs/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: soql }) })).json<{ id: string }>();
      await api(em, token, `${V}/jobs/query/${job.id}`);
      const q = em.org.prepareQuery(soql, { includeDeleted: false });
      const expected = expectedPage(q, 0, q.totalSize());
      for (const encoding of ['identity', 'gzip']) {
        const res = await api(em, token, `${V}/jobs/query/${job.id}/results`, { headers: { 'Accept-Encoding': encoding } });
        expect(res.headers['content-encoding']).toBe(encoding === 'gzip' ? 'gzip' : undefined);
        expect(res.text === expected, encoding).toBe(true);
      }
    } finally {
      await em.close();
    }
  });
});
