import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { dispatchData, runDataRequest, runHandler, SESSION_EXPIRED } from './data-dispatch.js';
import type { ActiveFault } from './faults.js';
import { redactHeaders, redactQuery, type HostKind } from './journal.js';
import { jsonReply, sfError, type Reply } from './reply.js';
import { resolveRoute } from './routes.js';
import { requestFormat } from './bulk1/routes.js';
import { asyncError } from './bulk1/wire.js';
import { sendReply } from './send-reply.js';
import { bearerToken, header, type EmulatorState, type RequestContext } from './state.js';

/** Bodies above this are refused: nothing the emulator serves takes more. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Header block size as it crossed the wire: `name: value\r\n` per header. */
function headerBytes(req: IncomingMessage): number {
  let total = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) total += req.rawHeaders[i]!.length + req.rawHeaders[i + 1]!.length + 4;
  return total;
}

function faultReply(fault: ActiveFault): Reply {
  const status = fault.status ?? 500;
  if (typeof fault.body === 'string') {
    return { status, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...fault.headers }, body: fault.body };
  }
  const body = fault.body ?? [{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)', errorCode: 'UNKNOWN_EXCEPTION' }];
  return jsonReply(status, body, fault.headers);
}

/** Decides the response of one request; the caller writes and journals it. */
async function handle(state: EmulatorState, ctx: RequestContext, route: ReturnType<typeof resolveRoute>): Promise<Reply | 'reset'> {
  const fault = ctx.fault;
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault) {
    switch (fault.action) {
      case 'respond':
        return faultReply(fault);
      case 'reset':
        return 'reset';
      case 'session-expired': {
        const token = bearerToken(ctx) ?? header(ctx, 'x-sfdc-session');
        if (token) state.sessions.expire(token);
        // Bulk API 1.0 says so in its own error document.
        return route.name.startsWith('bulk1.') ? asyncError(400, 'InvalidSessionId', 'Invalid session id', requestFormat(ctx)) : SESSION_EXPIRED();
      }
      case 'request-limit':
        return { ...sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Sforce-Limit-Info': state.usage.limitInfo() } };
      default:
        break;
    }
  }
  return route.data ? runDataRequest(ctx, route) : runHandler(ctx, route);
}

export function createRequestListener(state: EmulatorState, host: HostKind) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void serve(state, host, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify([{ message: 'An unexpected error occurred.', errorCode: 'UNKNOWN_EXCEPTION' }]));
      } else {
        res.destroy();
      }
    });
  };
}

async function serve(state: EmulatorState, host: HostKind, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const seq = state.journal.nextSeq();
  const { settings } = state;
  const method = (req.method ?? 'GET').toUpperCase();
  // Clients that keep the instance URL with a trailing slash send `//services/...`: real orgs
  // serve those, so repeated slashes in the path count as one (and never read as a host).
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  const pathPart = (query < 0 ? target : target.slice(0, query)).replace(/\/{2,}/g, '/');
  const url = new URL(pathPart + (query < 0 ? '' : target.slice(query)), 'http://emulator');
  const body = (await readBody(req)) ?? Buffer.alloc(0);

  const ctx: RequestContext = {
    state,
    host,
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    params: {},
    dispatch: dispatchData,
    counted: { apiCalls: 0, bulkJobs: 0 },
  };
  let latencyMs = 0;
  let route = resolveRoute(host, method, url.pathname, settings.minApiVersion, settings.maxApiVersion);
  let reply: Reply | 'reset';
  if ((req.url ?? '').length > settings.maxUrlBytes) {
    route = { name: 'uri-too-long', params: {}, data: false };
    reply = sfError(414, 'URI_TOO_LONG', `The request URI is longer than ${settings.maxUrlBytes} bytes`);
  } else if (headerBytes(req) > settings.maxHeaderBytes) {
    route = { name: 'headers-too-large', params: {}, data: false };
    reply = sfError(431, 'REQUEST_HEADER_FIELDS_TOO_LARGE', `The request headers are longer than ${settings.maxHeaderBytes} bytes`);
  } else {
    ctx.params = route.params;
    ctx.version = route.version;
    latencyMs = settings.latencyMs + (route.data && route.name.startsWith('rest.') ? settings.restCallLatencyMs : 0);
    if (latencyMs > 0) await sleep(latencyMs);
    ctx.fault = state.faults.take(route.name, method, url.pathname);
    reply = await handle(state, ctx, route);
  }

  let bytes = 0;
  let status = 0;
  if (reply === 'reset') {
    req.socket.resetAndDestroy();
  } else {
    status = reply.status;
    const truncating = ctx.fault?.action === 'truncate';
    const acceptsGzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    bytes = await sendReply(res, reply, {
      gzip: settings.gzip && acceptsGzip,
      bandwidthBytesPerSec: settings.bandwidthBytesPerSec,
      truncateAfterBytes: truncating ? (ctx.fault!.afterBytes ?? 0) : undefined,
      truncateMode: ctx.fault?.truncateMode ?? 'reset',
    });
  }
  state.journal.record({
    seq,
    host,
    method,
    path: url.pathname,
    query: redactQuery(url.searchParams),
    headers: redactHeaders(req.headers),
    route: route.name,
    grantType: ctx.grantType,
    status,
    bytes,
    requestBytes: body.length,
    startedAt,
    durationMs: performance.now() - t0,
    ...(latencyMs > 0 ? { latencyMs } : {}),
    fault: ctx.fault ? (ctx.fault.label ?? ctx.fault.action) : undefined,
    ...(reply !== 'reset' && reply.cached ? { cached: true as const } : {}),
    ...(reply !== 'reset' && reply.spooled ? { spooled: true as const } : {}),
    ...(ctx.counted.apiCalls > 0 ? { apiCalls: ctx.counted.apiCalls } : {}),
    ...(ctx.counted.bulkJobs > 0 ? { bulkJobs: ctx.counted.bulkJobs } : {}),
    ...(ctx.subrequests ? { subrequests: ctx.subrequests } : {}),
    ...jobOf(route.name, reply),
  });
}

/** A Bulk job's id and state as the reply showed them, so the journal tells a job's story. */
function jobOf(route: string, reply: Reply | 'reset'): { job?: { id: string; state: string; totalProcessingTime?: number } } {
  if (!route.startsWith('bulk.') || reply === 'reset' || reply.status >= 300) return {};
  const json = reply.json as Record<string, unknown> | undefined;
  if (!json || typeof json['id'] !== 'string' || typeof json['state'] !== 'string') return {};
  const time = json['totalProcessingTime'];
  return { job: { id: json['id'], state: json['state'], ...(typeof time === 'number' && time > 0 ? { totalProcessingTime: time } : {}) } };
}

/** Listens on 127.0.0.1; port 0 picks a free one. */
export async function listen(state: EmulatorState, host: HostKind, port: number): Promise<{ server: Server; url: string }> {
  // Node's own 16 KiB header limit would answer 431 before the emulator could: raise it and
  // apply Salesforce's limits (16,384 bytes for the URI and for the headers) in the handler.
  const server = createServer({ maxHeaderSize: 256 * 1024, keepAliveTimeout: 30_000 }, createRequestListener(state, host));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}` };
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
