import { jsonReply, sfError, type Reply } from './reply.js';
import type { RequestContext } from './state.js';

const MIN_SUBREQUEST_VERSION = 34;

interface SubRequest {
  method: string;
  url: string;
  richInput?: unknown;
}

function parseBatch(ctx: RequestContext): { requests: SubRequest[]; haltOnError: boolean } | undefined {
  try {
    const body = JSON.parse(ctx.body.toString('utf8')) as Record<string, unknown>;
    const list = body['batchRequests'];
    if (!Array.isArray(list)) return undefined;
    const requests: SubRequest[] = [];
    for (const item of list as Record<string, unknown>[]) {
      if (!item || typeof item['method'] !== 'string' || typeof item['url'] !== 'string') return undefined;
      requests.push({ method: item['method'].toUpperCase(), url: item['url'], richInput: item['richInput'] });
    }
    return { requests, haltOnError: body['haltOnError'] === true };
  } catch {
    return undefined;
  }
}

/**
 * POST /composite/batch: up to 25 subrequests run in order, each counted against the limits;
 * always 200 with per-subrequest results; `haltOnError` answers the rest 412.
 */
export async function handleCompositeBatch(ctx: RequestContext): Promise<Reply> {
  const batch = parseBatch(ctx);
  if (!batch) return sfError(400, 'JSON_PARSER_ERROR', 'The request body must hold a batchRequests array of {method, url}.');
  const max = ctx.state.settings.compositeBatchMaxRequests;
  if (batch.requests.length > max) {
    return sfError(400, 'INVALID_BATCH_REQUEST', `A batch request can contain at most ${max} subrequests`);
  }
  const outer = Number(ctx.version);
  const results: { statusCode: number; result: unknown }[] = [];
  // Each subrequest's JSON text is reused as is: big describes are not serialized twice.
  const texts: string[] = [];
  let halted = false;
  for (const sub of batch.requests) {
    const reply = halted ? sfError(412, 'BATCH_PROCESSING_HALTED', 'Batch processing halted per request') : await runSubRequest(ctx, sub, outer);
    const result = reply.json !== undefined ? reply.json : null;
    results.push({ statusCode: reply.status, result });
    texts.push(`{"statusCode":${reply.status},"result":${reply.json !== undefined && typeof reply.body === 'string' ? reply.body : 'null'}}`);
    if (reply.status >= 400 && batch.haltOnError) halted = true;
  }
  const hasErrors = results.some((r) => r.statusCode >= 400);
  return { ...jsonReply(200, null), body: `{"hasErrors":${hasErrors},"results":[${texts.join(',')}]}`, json: { hasErrors, results } };
}

async function runSubRequest(ctx: RequestContext, sub: SubRequest, outerVersion: number): Promise<Reply> {
  const relative = sub.url.replace(/^\/?(services\/data\/)?/, '');
  const url = new URL(`/services/data/${relative}`, 'http://batch');
  const version = /^\/services\/data\/v(\d+)\.0/.exec(url.pathname);
  if (!version || Number(version[1]) < MIN_SUBREQUEST_VERSION || Number(version[1]) > outerVersion) {
    return sfError(400, 'INVALID_BATCH_REQUEST', `Subrequest versions must be between ${MIN_SUBREQUEST_VERSION}.0 and ${outerVersion}.0`);
  }
  const call = ctx.dispatch(ctx, {
    method: sub.method,
    path: url.pathname,
    query: url.searchParams,
    body: sub.richInput === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sub.richInput)),
  });
  if (call.route === 'rest.compositeBatch' || call.route.startsWith('bulk.')) {
    return sfError(400, 'INVALID_BATCH_REQUEST', `${url.pathname} cannot be part of a batch request`);
  }
  return call.run();
}
