/**
 * The base request function: undici `request()` over a keep-alive Agent sized for the tap's
 * concurrency, asking for gzip and gunzipping as a stream (Bulk results are large and compress
 * about 10:1). Connect and idle timeouts are the Agent's; an idle body surfaces from the body
 * iterator as a retryable TAP_TIMEOUT.
 *
 * Bodies are read chunk by chunk as they arrive: Readable's own async iterator concatenates
 * whatever is buffered into a new Buffer on every step, a copy of every byte of every result
 * page that the CSV decoder does not need.
 */
import { createGunzip, createInflate } from 'node:zlib';
import { finished, PassThrough, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { toNetworkError } from './network-errors.js';
import type { HttpRequest, HttpResponse, RequestFn } from './types.js';

export interface SendRequestOptions {
  /** Sockets per origin: at least the number of requests the tap may have in flight. */
  connections: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Proxy settings (from HTTPS_PROXY / HTTP_PROXY / NO_PROXY); direct connections when absent. */
  proxy?: ProxySettings;
  userAgent?: string;
  /** Whether to ask for gzip; default `auto`. */
  compression?: Compression;
}

/**
 * `auto` asks for gzip except from a loopback host (a local emulator or tunnel), where moving
 * the bytes costs nothing and gunzipping them costs a third of the tap's CPU.
 */
export type Compression = 'auto' | 'gzip' | 'none';

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface BaseRequester {
  send: RequestFn;
  close(): Promise<void>;
}

function definedOnly(proxy: ProxySettings): ProxySettings {
  const out: ProxySettings = {};
  if (proxy.httpProxy) out.httpProxy = proxy.httpProxy;
  if (proxy.httpsProxy) out.httpsProxy = proxy.httpsProxy;
  if (proxy.noProxy) out.noProxy = proxy.noProxy;
  return out;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function asksForGzip(compression: Compression, url: string): boolean {
  if (compression !== 'auto') return compression === 'gzip';
  const host = new URL(url).hostname;
  return !(LOOPBACK_HOSTS.has(host) || host.startsWith('127.'));
}

/** Chunks read ahead of the consumer before the stream is paused (a few socket reads). */
const READ_AHEAD_CHUNKS = 4;
/** Gunzip output chunk: 4x zlib's default, so 4x fewer callbacks per page. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;
/**
 * Compressed bytes taken in before the body is paused: one socket read. Each time the body is
 * paused, undici hands the unparsed rest of its last socket read back to the socket, and on
 * resume reads it again joined with what arrived since: a copy of all of it. Piped straight into
 * gunzip (16 KiB input buffer) the body paused after every chunk, so when a server sends faster
 * than the tap transcodes (a page served from cache, a fast link) the socket's buffer grew to the
 * whole page, copied again at every resume: 1M gzipped rows took 364 MB and 2.7x the time.
 */
const GUNZIP_INPUT_BYTES = 64 * 1024;

/** The stream's chunks as they come, without concatenation; paused while the consumer is behind. */
async function* iterateBody(stream: Readable, url: string, signal?: AbortSignal): AsyncIterable<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    if (queue.length >= READ_AHEAD_CHUNKS) stream.pause();
    notify();
  };
  // finished() reports the end, an error and a premature close alike.
  const stopWatching = finished(stream, (error) => {
    if (error) failure ??= { error };
    ended = true;
    notify();
  });
  stream.on('data', onData);
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        if (stream.isPaused() && queue.length < READ_AHEAD_CHUNKS / 2) stream.resume();
        yield chunk;
        continue;
      }
      if (failure) throw toNetworkError(failure.error, url, signal);
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('data', onData);
    stopWatching();
    if (!ended) stream.destroy();
  }
}

export function createBaseRequester(options: SendRequestOptions): BaseRequester {
  const agentOptions = {
    connections: Math.max(1, options.connections),
    keepAliveTimeout: 30_000,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.idleTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
  };
  const compression = options.compression ?? 'auto';
  const proxy = options.proxy;
  const agent: Dispatcher =
    proxy && (proxy.httpProxy || proxy.httpsProxy)
      ? new EnvHttpProxyAgent({ ...agentOptions, ...definedOnly(proxy) })
      : new Agent(agentOptions);
  const send: RequestFn = async (req: HttpRequest): Promise<HttpResponse> => {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(req.url, {
        method: req.method,
        headers: { ...(asksForGzip(compression, req.url) ? { 'accept-encoding': 'gzip' } : {}), ...(options.userAgent ? { 'user-agent': options.userAgent } : {}), ...req.headers },
        body: req.body ?? null,
        signal: req.signal ?? null,
        dispatcher: agent,
      });
    } catch (error) {
      throw toNetworkError(error, req.url, req.signal);
    }
    const headers = flattenHeaders(res.headers);
    const encoding = headers['content-encoding']?.toLowerCase();
    let stream: Readable = res.body;
    if (encoding === 'gzip' || encoding === 'deflate') {
      const decoder = encoding === 'gzip' ? createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }) : createInflate({ chunkSize: GUNZIP_CHUNK_BYTES });
      // pipeline forwards errors of any stage to the decoder, which the iterator rethrows.
      stream = pipeline(res.body, new PassThrough({ highWaterMark: GUNZIP_INPUT_BYTES }), decoder, () => {});
    }
    return {
      status: res.statusCode,
      headers,
      body: iterateBody(stream, req.url, req.signal),
      discard: async () => {
        try {
          if (stream !== res.body) stream.destroy();
          await res.body.dump();
        } catch {
          // Nothing to save from a body we are throwing away.
        }
      },
    };
  };
  return { send, close: () => agent.close() };
}
