import { jsonReply, sfError, type Reply } from './reply.js';
import type { RequestContext } from './state.js';

/** Salesforce's limits on one Composite request. */
const MAX_SUBREQUESTS = 25;
const MAX_QUERIES = 5;

interface CompositeSubrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

/**
 * POST /composite: up to 25 subrequests (at most 5 of them query/queryAll) run in order, the
 * whole request counted as one API call; `allOrNone` is not honoured beyond reads (the tap only
 * sends GETs). References between subrequests (`@{ref.field}`) are not resolved.
 */
export async function handleComposite(ctx: RequestContext): Promise<Reply> {
  let list: CompositeSubrequest[];
  try {
    const body = JSON.parse(ctx.body.toString('utf8')) as { compositeRequest?: unknown };
    if (!Array.isArray(body.compositeRequest)) throw new Error('no compositeRequest');
    list = body.compositeRequest as CompositeSubrequest[];
    if (list.some((s) => typeof s?.method !== 'string' || typeof s.url !== 'string' || typeof s.referenceId !== 'string')) throw new Error('bad subrequest');
  } catch {
    return sfError(400, 'JSON_PARSER_ERROR', 'The request body must hold a compositeRequest array of {method, url, referenceId}.');
  }
  if (list.length > MAX_SUBREQUESTS) return sfError(400, 'INVALID_BATCH_REQUEST', `A composite request can contain at most ${MAX_SUBREQUESTS} subrequests`);
  const queries = list.filter((s) => /\/(query|queryAll)\/?(\?|$)/.test(s.url.split('#')[0]!)).length;
  if (queries > MAX_QUERIES) return sfError(400, 'INVALID_BATCH_REQUEST', `A composite request can contain at most ${MAX_QUERIES} query subrequests`);
  const compositeResponse: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[] = [];
  for (const sub of list) {
    const url = new URL(sub.url, 'http://composite');
    const call = ctx.dispatch(ctx, { method: sub.method.toUpperCase(), path: url.pathname, query: url.searchParams, body: sub.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sub.body)), uncounted: true });
    if (call.route === 'rest.composite' || call.route === 'rest.compositeBatch' || call.route.startsWith('bulk.')) {
      compositeResponse.push({ body: [{ errorCode: 'INVALID_BATCH_REQUEST', message: `${url.pathname} cannot be part of a composite request` }], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
      continue;
    }
    (ctx.subrequests ??= []).push(call.route);
    const reply = await call.run();
    const body = reply.json !== undefined ? reply.json : typeof reply.body === 'string' ? (JSON.parse(reply.body) as unknown) : null;
    compositeResponse.push({ body, httpHeaders: {}, httpStatusCode: reply.status, referenceId: sub.referenceId });
  }
  return jsonReply(200, { compositeResponse });
}
