import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orgFromRecipe, type OrgRecipe } from '../../../emulator/render/org-recipe.js';
import { RenderWorkers, type RenderedPart } from '../../../emulator/render/render-workers.js';
import { ChunkPool, csvChunks, csvHeader, type CsvFormat } from '../../../emulator/server/bulk-csv.js';
import type { BulkJob } from '../../../emulator/server/bulk-jobs.js';
import { BulkResultSpool } from '../../../emulator/server/bulk-result-spool.js';
import { REPO_ROOT } from '../../helpers/run-tap.js';

// Threads run compiled JavaScript: the built thread script (the test command builds first).
const WORKER_FILE = join(REPO_ROOT, 'dist', 'emulator', 'render', 'render-worker.js');
const recipe: OrgRecipe = { seed: 3, records: 3000, extraObjects: 2, username: 'nightly.sync@example.com' };
const org = orgFromRecipe(recipe);
const format: CsvFormat = { delimiter: ',', lineEnding: '\n', nulls: 'empty' };
const workers = RenderWorkers.start(recipe, { threads: 1, file: WORKER_FILE });
afterAll(() => workers?.close());

const QUERIES = [
  { soql: 'SELECT Id, Name, Description, Owner.Name, CreatedDate, SystemModstamp FROM Account', includeDeleted: false },
  { soql: 'SELECT Id, LastName, Email, Account.Name FROM Contact WHERE SystemModstamp >= 2020-01-01T00:00:00Z ORDER BY Id', includeDeleted: false },
  { soql: 'SELECT Id, Name, Amount, StageName, IsDeleted FROM Opportunity', includeDeleted: true },
  { soql: 'SELECT Id, Username, Name, Email FROM User', includeDeleted: false },
  { soql: 'SELECT Id, Name, SystemModstamp FROM Generated_0002__c LIMIT 200', includeDeleted: false },
];

function onThisThread(soql: string, includeDeleted: boolean, start: number, count: number): RenderedPart {
  const rowEnds = new Uint32Array(count);
  const chunks = [...csvChunks(org.prepareQuery(soql, { includeDeleted }), start, count, format, new ChunkPool(), '', rowEnds)].map((c) => Buffer.from(c));
  return { chunks, rowEnds };
}

describe('Render threads', () => {
  it('render a part byte for byte as this thread does, from their own copy of the org', async () => {
    expect(workers).toBeDefined();
    for (const { soql, includeDeleted } of QUERIES) {
      const total = org.prepareQuery(soql, { includeDeleted }).totalSize();
      expect(total, soql).toBeGreaterThan(0);
      for (const [start, count] of [[0, Math.min(total, 700)], [Math.floor(total / 2), Math.ceil(total / 2)]] as const) {
        const theirs = await workers!.render({ soql, includeDeleted, preparedAt: Date.now(), total, start, count, format });
        const ours = onThisThread(soql, includeDeleted, start, count);
        expect(Buffer.concat(theirs.chunks).equals(Buffer.concat(ours.chunks)), `${soql} ${start}+${count}`).toBe(true);
        expect([...theirs.rowEnds]).toEqual([...ours.rowEnds]);
      }
    }
  });

  it('refuse a job whose row count their copy does not agree with', async () => {
    const soql = 'SELECT Id FROM Account';
    await expect(workers!.render({ soql, includeDeleted: false, preparedAt: Date.now(), total: 12, start: 0, count: 12, format })).rejects.toThrow(/counts \d+ rows, the job 12/);
    // The thread is free again.
    expect(workers!.idle).toBe(true);
  });

  it('fill the spool, which serves their parts and renders here what a thread refused', async () => {
    const soql = 'SELECT Id, Name, Description, Owner.Name, CreatedDate FROM Account';
    const query = org.prepareQuery(soql, { includeDeleted: false });
    const header = csvHeader(query, format);
    const expected = Buffer.concat([Buffer.from(header), ...onThisThread(soql, false, 0, query.totalSize()).chunks]);
    const refusing = { idle: true, render: () => Promise.reject(new Error('refused')) } as unknown as RenderWorkers;
    for (const threads of [workers!, refusing]) {
      const spool = new BulkResultSpool({ maxBytes: () => 64 * 1_048_576, partRows: () => 1000, revision: () => 0, live: () => true, workers: () => threads });
      const job = { id: 'job', query, fate: { kind: 'complete' }, aborted: false } as BulkJob;
      spool.add(job, format, { soql, includeDeleted: false, preparedAt: Date.now() });
      while (spool.busy) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(spool.bytes).toBe(expected.length - Buffer.byteLength(header));
      const chunks: Buffer[] = [];
      for await (const chunk of spool.serve(job, 0, query.totalSize(), format, header)!()) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).equals(expected)).toBe(true);
      expect(spool.bytes).toBe(0);
    }
  });
});
