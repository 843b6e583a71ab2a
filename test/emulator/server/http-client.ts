import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Emulator } from '../../../emulator/index.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as received (still gzipped when Content-Encoding says so). */
  raw: Buffer;
  /** The body decoded (gunzipped when needed) as UTF-8. */
  text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request over a fresh loopback connection, nothing decoded behind the test's back. */
export function httpRequest(url: string, options: RequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<RawResponse> {
  return httpRequest(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

export function passwordParams(em: Emulator): Record<string, string> {
  const c = em.credentials;
  return { grant_type: 'password', client_id: c.clientId, client_secret: c.clientSecret, username: c.username, password: c.password + c.securityToken };
}

/** Logs in with the password grant and returns the access token. */
export async function login(em: Emulator): Promise<string> {
  const res = await postForm(`${em.loginUrl}/services/oauth2/token`, passwordParams(em));
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.json<{ access_token: string }>().access_token;
}

/** A data call on the instance with a Bearer token. */
export function api(em: Emulator, token: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
  return httpRequest(`${em.instanceUrl}${path}`, {
    ...options,
    headers: { Authorization: `Bearer ${token}`, ...options.headers },
  });
}
