import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { connectSalesforce } from '../../../src/salesforce/http/connect-client.js';
import { parseRetryAfter } from '../../../src/salesforce/http/with-retry.js';
import { createBaseRequester } from '../../../src/salesforce/http/send-request.js';
import { SalesforceApiError } from '../../../src/salesforce/client.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
const hits: { method: string; url: string; auth?: string; body: string }[] = [];
let tokenCounter = 0;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Token endpoint answering every login with a fresh token. */
function tokenEndpoint(req: IncomingMessage, body: string, res: ServerResponse): boolean {
  if (req.url !== '/services/oauth2/token') return false;
  tokenCounter += 1;
  json(res, 200, { access_token: `00D000000000001!tok${tokenCounter}`, instance_url: base, token_type: 'Bearer', issued_at: '1' });
  return true;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body });
      if (!tokenEndpoint(req, body, res)) handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  hits.length = 0;
});

function config(extra: Record<string, unknown> = {}) {
  return parseConfig({ client_id: 'cid', client_secret: 'csecret', refresh_token: 'refresh-abc', login_url: base, max_retries: 3, ...extra });
}

async function connect(extra: Record<string, unknown> = {}) {
  const connected = await connectSalesforce(config(extra));
  // Retries in tests wait milliseconds, not seconds.
  return connected;
}

describe('SalesforceHttpClient', () => {
  it('resolves relative paths under the API version and tracks Sforce-Limit-Info', async () => {
    handler = (req, _b, res) => json(res, 200, { ok: req.url }, { 'sforce-limit-info': 'api-usage=12/15000' });
    const { client, close } = await connect();
    expect(await client.json('sobjects')).toEqual({ ok: '/services/data/v65.0/sobjects' });
    expect(await client.json('/services/data/v65.0/query/01g-2000')).toEqual({ ok: '/services/data/v65.0/query/01g-2000' });
    expect(client.apiUsage()).toEqual({ used: 12, max: 15000, usedThisRun: 2 });
    expect(hits.filter((h) => h.url.startsWith('/services/data')).every((h) => h.auth === 'Bearer 00D000000000001!tok' + tokenCounter)).toBe(true);
    await close();
  });

  it('gunzips bodies as a stream', async () => {
    const payload = 'Id,Name\n' + Array.from({ length: 2000 }, (_, i) => `001${i},"Name ${i}"`).join('\n');
    handler = (_r, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
      res.end(gzipSync(payload));
    };
    const { client, close } = await connect();
    const response = await client.stream('jobs/query/750/results');
    const chunks: Buffer[] = [];
    for await (const c of response.body) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe(payload);
    await close();
  });

  it('asks for gzip from remote hosts and, by default, not from loopback ones', async () => {
    const asked: (string | undefined)[] = [];
    handler = (req, _b, res) => {
      asked.push(req.headers['accept-encoding']);
      json(res, 200, { ok: true });
    };
    for (const compression of ['auto', 'gzip', 'none'] as const) {
      const requester = createBaseRequester({ connections: 1, connectTimeoutMs: 1000, idleTimeoutMs: 1000, compression });
      const response = await requester.send({ method: 'GET', url: `${base}/limits`, headers: {}, idempotent: true });
      await response.discard();
      await requester.close();
    }
    expect(asked).toEqual([undefined, 'gzip', undefined]);
    // The config setting reaches every request.
    const { client, close } = await connect({ compression: 'gzip' });
    await client.json('limits');
    await close();
    expect(asked.at(-1)).toBe('gzip');
    expect(() => config({ compression: 'brotli' })).toThrow(/compression/);
  });

  it('hands over a large body chunk by chunk, in order, however slowly it is read', async () => {
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 13)) & 0xff;
    for (const gzip of [false, true]) {
      handler = (_r, _b, res) => {
        res.writeHead(200, { 'content-type': 'text/csv', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
        res.end(gzip ? gzipSync(payload) : payload);
      };
      const requester = createBaseRequester({ connections: 1, connectTimeoutMs: 1000, idleTimeoutMs: 5000, compression: 'gzip' });
      const response = await requester.send({ method: 'GET', url: `${base}/results`, headers: {}, idempotent: true });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) {
        chunks.push(chunk);
        // A consumer slower than the socket: the body waits instead of piling up unread.
        if (chunks.length % 16 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(256 * 1024);
      await requester.close();
    }
  });

  it('lets a reader stop early and reuses nothing broken', async () => {
    handler = (req, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      if (req.url === '/big') res.end(Buffer.alloc(4 * 1024 * 1024, 0x61));
      else res.end('small');
    };
    const requester = createBaseRequester({ connections: 1, connectTimeoutMs: 1000, idleTimeoutMs: 1000 });
    const big = await requester.send({ method: 'GET', url: `${base}/big`, headers: {}, idempotent: true });
    for await (const chunk of big.body) {
      expect(chunk[0]).toBe(0x61);
      break;
    }
    const small = await requester.send({ method: 'GET', url: `${base}/small`, headers: {}, idempotent: true });
    const chunks: Buffer[] = [];
    for await (const chunk of small.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('small');
    await requester.close();
  });

  it('renews an expired session once for many concurrent requests, then replays them', async () => {
    const { client, close, logins } = await connect();
    const firstToken = `Bearer 00D000000000001!tok${tokenCounter}`;
    handler = (req, _b, res) => {
      if (req.headers.authorization === firstToken) json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      else json(res, 200, { ok: true });
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => client.json('limits')));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ ok: true })));
    // The first login and exactly one renewal.
    expect(logins()).toBe(2);
    expect(hits.filter((h) => h.url === '/services/oauth2/token')).toHaveLength(2);
    await close();
  });

  it('fails with an auth error when the renewed sessions are refused too', async () => {
    handler = (_r, _b, res) => json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const { client, close } = await connect();
    await expect(client.json('limits')).rejects.toMatchObject({ code: 'SF_INVALID_SESSION_ID', kind: 'auth' });
    // The first login and two renewals (a second expiry close behind the first is survived).
    expect(hits.filter((h) => h.url === '/services/oauth2/token')).toHaveLength(3);
    expect(hits.filter((h) => h.url.endsWith('/limits'))).toHaveLength(3);
    await close();
  });

  it('retries GETs on 503 honouring Retry-After, but never replays a POST on 500', async () => {
    let calls = 0;
    handler = (req, _b, res) => {
      calls += 1;
      if (req.method === 'GET' && calls < 3) json(res, 503, [{ message: 'busy', errorCode: 'SERVER_UNAVAILABLE' }], { 'retry-after': '0' });
      else if (req.method === 'POST') json(res, 500, [{ message: 'oops', errorCode: 'UNKNOWN_EXCEPTION' }]);
      else json(res, 200, { ok: true });
    };
    const { client, close } = await connect();
    expect(await client.json('limits')).toEqual({ ok: true });
    expect(calls).toBe(3);
    calls = 0;
    await expect(client.json('jobs/query', { method: 'POST', body: { query: 'SELECT Id FROM Account' } })).rejects.toMatchObject({ code: 'SF_UNKNOWN_EXCEPTION' });
    expect(calls).toBe(1);
    await close();
  }, 20_000);

  it('maps REQUEST_LIMIT_EXCEEDED to a quota error without retrying', async () => {
    handler = (_r, _b, res) => json(res, 403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
    const { client, close } = await connect();
    const error = await client.json('limits').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceApiError);
    expect(error).toMatchObject({ code: 'SF_REQUEST_LIMIT_EXCEEDED', kind: 'quota', status: 403 });
    expect(hits.filter((h) => h.url.endsWith('/limits'))).toHaveLength(1);
    await close();
  });

  it('turns an HTML error page into a clear error instead of a JSON crash', async () => {
    handler = (_r, _b, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    const { client, close } = await connect({ max_retries: 0 });
    await expect(client.json('limits')).rejects.toMatchObject({ code: 'TAP_UNEXPECTED_RESPONSE', kind: 'transient' });
    handler = (_r, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    await expect(client.json('limits')).rejects.toMatchObject({ code: 'TAP_UNEXPECTED_RESPONSE' });
    await close();
  });

  it('reports an unreachable host as a transient error', async () => {
    const c = parseConfig({ client_id: 'cid', client_secret: 'csecret', refresh_token: 'refresh-abc', login_url: 'http://127.0.0.1:1', max_retries: 0 });
    await expect(connectSalesforce(c)).rejects.toMatchObject({ code: 'TAP_CONNECTION_REFUSED', kind: 'transient' });
  });

  it('drops a response whose body stalls longer than the idle timeout with a retryable timeout', async () => {
    handler = (_r, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('Id\n');
    };
    const requester = createBaseRequester({ connections: 1, connectTimeoutMs: 1000, idleTimeoutMs: 200 });
    const response = await requester.send({ method: 'GET', url: `${base}/stall`, headers: {}, idempotent: true });
    const read = (async () => {
      for await (const chunk of response.body) void chunk;
    })();
    await expect(read).rejects.toMatchObject({ code: 'TAP_TIMEOUT', retryable: true });
    await requester.close();
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
