/**
 * A render thread: builds its own copy of the org from the recipe it is started with and renders
 * Bulk result parts as CSV, handing the chunks back without copying them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChunkPool, csvChunks } from '../server/bulk-csv.js';
import type { PreparedQuery } from '../org/types.js';
import { orgFromRecipe, type OrgRecipe } from './org-recipe.js';
import type { RenderReply, RenderTask } from './render-workers.js';

let clock = Date.now();
const org = orgFromRecipe(workerData as OrgRecipe, () => clock);
/** Parts of one job arrive one after another: its query is prepared once. */
const prepared = new Map<string, PreparedQuery>();

function queryOf(task: RenderTask): PreparedQuery {
  const key = `${task.includeDeleted}|${task.preparedAt}|${task.soql}`;
  let query = prepared.get(key);
  if (!query) {
    clock = task.preparedAt;
    query = org.prepareQuery(task.soql, { includeDeleted: task.includeDeleted });
    prepared.set(key, query);
    if (prepared.size > 16) prepared.delete(prepared.keys().next().value!);
  }
  return query;
}

parentPort!.on('message', (task: RenderTask) => {
  let reply: RenderReply;
  try {
    const query = queryOf(task);
    // A different count means this copy is not the org the job was created on: render nothing.
    if (query.totalSize() !== task.total) throw new Error(`the render thread counts ${query.totalSize()} rows, the job ${task.total}`);
    const rowEnds = new Uint32Array(task.count);
    const chunks = [...csvChunks(query, task.start, task.count, task.format, new ChunkPool(), '', rowEnds)];
    // Each chunk owns its memory (a pool buffer or a long row's own): it moves without a copy.
    const buffers = chunks.map((c) => c.buffer as ArrayBuffer);
    reply = { id: task.id, chunks: chunks.map((c) => ({ buffer: c.buffer as ArrayBuffer, offset: c.byteOffset, length: c.length })), rowEnds };
    parentPort!.postMessage(reply, [...new Set(buffers), rowEnds.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? error.message : String(error) };
    parentPort!.postMessage(reply);
  }
});
