/**
 * A completed query batch's results: its rows cut into result files of `bulk1ResultFileRows` rows
 * (Salesforce cuts at 1 GB), each served whole as CSV (header row first) or as a JSON array.
 * Files are rendered as they stream, so a file of any size keeps the emulator's memory flat. A
 * batch without rows has one file that says so, as real orgs write it.
 */
import { buildId } from '../ids.js';
import { ChunkPool, csvPage } from '../bulk-csv.js';
import { renderQueryRow } from '../render-rest.js';
import type { Reply } from '../reply.js';
import type { RequestContext } from '../state.js';
import type { AsyncBatch, AsyncJob } from './jobs.js';
import { asyncError, resultListReply } from './wire.js';

/** What a query batch with no rows returns as its one result file. */
export const NO_RECORDS = 'Records not found for this query';

export function findBatch(ctx: RequestContext, job: AsyncJob): AsyncBatch | Reply {
  const id = ctx.params['batchId']!;
  const batch = job.batches.find((b) => b.id === id || b.id.slice(0, 15) === id);
  return batch ?? asyncError(400, 'InvalidBatch', `Invalid batch id: ${id}`, job.contentType === 'JSON' ? 'json' : 'xml');
}

function resultIds(batch: AsyncBatch, fileRows: number): string[] {
  const files = Math.max(1, Math.ceil((batch.rows ?? 0) / fileRows));
  // The batch's own number, so result ids are stable across calls and unique across batches.
  const seq = parseInt(batch.id.slice(5, 15), 36);
  return Array.from({ length: files }, (_, i) => buildId('752', seq * 1000 + i, '1a'));
}

function completedBatch(ctx: RequestContext, job: AsyncJob): AsyncBatch | Reply {
  const found = findBatch(ctx, job);
  if (!('jobId' in found)) return found;
  const state = ctx.state.asyncJobs.stateOf(found);
  if (state !== 'Completed') {
    const format = job.contentType === 'JSON' ? 'json' : 'xml';
    return asyncError(400, 'InvalidBatch', state === 'NotProcessed' ? 'Batch not processed' : `Batch not completed: it is ${state}`, format);
  }
  return found;
}

/** GET …/batch/{id}/result: the ids of the batch's result files. */
export function batchResultList(ctx: RequestContext, job: AsyncJob): Reply {
  const batch = completedBatch(ctx, job);
  if (!('jobId' in batch)) return batch;
  return resultListReply(resultIds(batch, ctx.state.settings.bulk1ResultFileRows), job.contentType === 'JSON' ? 'json' : 'xml');
}

/** GET …/batch/{id}/result/{resultId}: one result file. */
export function batchResult(ctx: RequestContext, job: AsyncJob): Reply {
  const batch = completedBatch(ctx, job);
  if (!('jobId' in batch)) return batch;
  const fileRows = ctx.state.settings.bulk1ResultFileRows;
  const wanted = ctx.params['resultId']!;
  const index = resultIds(batch, fileRows).findIndex((id) => id === wanted || id.slice(0, 15) === wanted);
  if (index < 0) return asyncError(400, 'InvalidBatch', `Invalid result id: ${wanted}`, job.contentType === 'JSON' ? 'json' : 'xml');
  const query = batch.query!;
  const offset = index * fileRows;
  const count = Math.min(fileRows, (batch.rows ?? 0) - offset);
  if (job.contentType === 'JSON') {
    const version = String(job.apiVersion.toFixed(1));
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      stream: function* () {
        yield Buffer.from('[');
        let n = 0;
        for (const row of query.rows(offset)) {
          if (n >= count) break;
          yield Buffer.from(`${n > 0 ? ',' : ''}${JSON.stringify(renderQueryRow(version, query, row))}`);
          n += 1;
        }
        yield Buffer.from(']');
      },
    };
  }
  if (count <= 0) return { status: 200, headers: { 'Content-Type': 'text/csv' }, body: NO_RECORDS };
  const pool = new ChunkPool();
  const format = { delimiter: ',', lineEnding: '\n', nulls: ctx.state.settings.bulkNullRendering };
  return {
    status: 200,
    headers: { 'Content-Type': 'text/csv' },
    stream: () => csvPage(query, offset, count, format, pool),
    release: (chunk) => pool.give(chunk),
  };
}
