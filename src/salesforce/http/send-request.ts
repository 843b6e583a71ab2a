/**
 * The base request function: undici `request()` over a keep-alive Agent sized for the tap's
 * concurrency, asking for gzip and gunzipping as a stream (Bulk results are large and compress
 * about 10:1). Connect and idle timeouts are the Agent's; an idle body surfaces from the body
 * iterator as a retryable TAP_TIMEOUT.
 */
import { createGunzip, createInflate } from 'node:zlib';
import { pipeline } from 'node:stream';
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
}

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

async function* iterateBody(body: Readable, url: string, signal?: AbortSignal): AsyncIterable<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    throw toNetworkError(error, url, signal);
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
        headers: { 'accept-encoding': 'gzip', ...(options.userAgent ? { 'user-agent': options.userAgent } : {}), ...req.headers },
        body: req.body,
        signal: req.signal,
        dispatcher: agent,
      });
    } catch (error) {
      throw toNetworkError(error, req.url, req.signal);
    }
    const headers = flattenHeaders(res.headers);
    const encoding = headers['content-encoding']?.toLowerCase();
    let stream: Readable = res.body;
    if (encoding === 'gzip' || encoding === 'deflate') {
      const decoder = encoding === 'gzip' ? createGunzip() : createInflate();
      // pipeline forwards errors of either side to the decoder, which the iterator rethrows.
      stream = pipeline(res.body, decoder, () => {});
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
