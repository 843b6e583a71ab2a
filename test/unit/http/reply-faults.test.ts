/**
 * Every JSON body is read inside the retry boundary of an idempotent request: a reply that resets
 * after its headers or whose JSON stops short is a failed attempt, retried, not a fatal error.
 * And session expiries close together share re-logins instead of ending the run.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { connectSalesforce } from '../../../src/salesforce/http/connect-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

let server: Server;
let base: string;
let handler: Handler;
let attempts = new Map<string, number>();
let tokens = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/services/oauth2/token') {
        tokens += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `00D!tok${tokens}`, instance_url: base }));
        return;
      }
      const n = (attempts.get(req.url ?? '') ?? 0) + 1;
      attempts.set(req.url ?? '', n);
      handler(req, res, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  attempts = new Map();
});

const page = (rows: number) => JSON.stringify({ totalSize: rows, done: true, records: Array.from({ length: rows }, (_, i) => ({ Id: `001${String(i).padStart(15, '0')}`, Name: 'x'.repeat(300) })) });

async function connect() {
  const config = parseConfig({ client_id: 'cid', client_secret: 'secret', refresh_token: 'refresh', login_url: base, max_retries: 3 });
  return connectSalesforce(config);
}

describe('replies that break off', () => {
  it('retries a 200 whose connection resets after the headers and 300 KB of the body', async () => {
    const body = page(2000);
    handler = (_req, res, attempt) => {
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(body)) });
      if (attempt === 1) {
        res.write(body.slice(0, 300_000));
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
      } else res.end(body);
    };
    const { client, close } = await connect();
    const result = await client.json<{ records: unknown[] }>('query/01gABC-2000');
    expect(result.records).toHaveLength(2000);
    expect(attempts.get('/services/data/v65.0/query/01gABC-2000')).toBe(2);
    await close();
  });

  it('retries a 200 whose chunked JSON ends cleanly but too early', async () => {
    const body = page(50);
    handler = (_req, res, attempt) => {
      res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(attempt < 3 ? body.slice(0, body.length / 2) : body);
    };
    const { client, close } = await connect();
    const result = await client.json<{ records: unknown[] }>('query');
    expect(result.records).toHaveLength(50);
    expect(attempts.get('/services/data/v65.0/query')).toBe(3);
    await close();
  });

  it('retries a query page read record by record (splitRecords) whose JSON ends too early, at any cut', async () => {
    const body = page(40);
    for (const cut of [body.length - 1, body.length - 3, body.indexOf('"records"') + 12, Math.floor(body.length / 2)]) {
      attempts = new Map();
      handler = (_req, res, attempt) => {
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(attempt === 1 ? body.slice(0, cut) : body);
      };
      const { client, close } = await connect();
      const result = await client.json<{ totalSize: number; records: Iterable<{ Id: string }> & { length: number } }>('query', { splitRecords: true });
      expect(result.totalSize).toBe(40);
      expect([...result.records].map((r) => r.Id)).toEqual(JSON.parse(body).records.map((r: { Id: string }) => r.Id));
      expect(attempts.get('/services/data/v65.0/query')).toBe(2);
      await close();
    }
  });

  it('refuses a split query page whose records are not an array, naming the field', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"totalSize": 1, "done": true, "records": null}');
    };
    const { client, close } = await connect();
    await expect(client.json('query', { splitRecords: true, shape: { records: 'array' } })).rejects.toMatchObject({ code: 'TAP_REPLY_SHAPE', message: expect.stringContaining('`records` being null') });
    await close();
  });

  it('names the endpoint and the broken reply once retries are used up', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"totalSize": 3, "records": [');
    };
    const { client, close } = await connect();
    const error = await client.json('limits').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TAP_INCOMPLETE_REPLY', kind: 'transient' });
    expect((error as Error).message).toMatch(/^GET \/services\/data\/v65\.0\/limits: the reply broke off/);
    expect(attempts.get('/services/data/v65.0/limits')).toBe(4);
    await close();
  });

  it('never replays a POST that creates a job, even when its reply breaks off', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "750');
    };
    const { client, close } = await connect();
    await expect(client.json('jobs/query', { method: 'POST', body: {} })).rejects.toMatchObject({ code: 'TAP_INCOMPLETE_REPLY' });
    expect(attempts.get('/services/data/v65.0/jobs/query')).toBe(1);
    await close();
  });
});

describe('session expiries', () => {
  it('survives a second expiry close behind the first with requests in flight, then a later one', async () => {
    const { client, close, logins } = await connect();
    // tok1 expires; the first request replayed with tok2 expires that one too (a second expiry).
    const expired = new Set([`Bearer 00D!tok${tokens}`]);
    let secondExpiryArmed = true;
    handler = (req, res) => {
      const auth = req.headers.authorization ?? '';
      if (secondExpiryArmed && !expired.has(auth)) {
        secondExpiryArmed = false;
        expired.add(auth);
      }
      if (expired.has(auth)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client.json(`sobjects/A${i}/describe`)));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ ok: true })));
    // The first login, one shared renewal per expiry.
    expect(logins()).toBe(3);
    // Much later, the session expires again: handled like the first time.
    expired.add(`Bearer 00D!tok${tokens}`);
    expect(await Promise.all([client.json('limits'), client.json('sobjects')])).toEqual([{ ok: true }, { ok: true }]);
    expect(logins()).toBe(4);
    await close();
  });
});
