/**
 * Every way the tap logs in to Salesforce, each returning a Session:
 * - OAuth refresh token (rotation: a new refresh token in the answer replaces the old one);
 * - OAuth username-password; OAuth client credentials (My Domain host only);
 * - OAuth JWT bearer (RS256 signed with node:crypto);
 * - SOAP partner login() (API version capped at 64.0, the last one that has it);
 * - a plain access token with its instance URL (not renewable).
 * Form and XML bodies are encoded properly, so any character in a password works. Every token
 * and session id is registered as a secret the moment it arrives.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { AuthConfig } from '../../config/types.js';
import { TapError } from '../../core/errors.js';
import { DEFAULTS } from '../../core/defaults.js';
import { secrets } from '../../core/secrets.js';
import { toResponseError } from '../http/error-table.js';
import { readBodyText, type RequestFn } from '../http/types.js';
import { oauthLoginError, soapLoginError } from './auth-errors.js';
import type { Authenticator, Session } from './types.js';

export const JWT_LIFETIME_SECONDS = 180;

export interface AuthenticatorOptions {
  apiVersion: string;
  /** The request function logins go through (with retries on network errors and 5xx). */
  send: RequestFn;
  /** Called with a refresh token Salesforce rotated, after it replaced the old one in memory. */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  now?: () => number;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** A signed JWT bearer assertion: iss = client_id, sub = username, aud = login host, exp in minutes. */
export function buildJwtAssertion(auth: AuthConfig, nowMs: number): string {
  const audience = auth.jwtAudience ?? (auth.isSandbox ? 'https://test.salesforce.com' : 'https://login.salesforce.com');
  const header = base64url(JSON.stringify({ alg: 'RS256' }));
  const claims = base64url(
    JSON.stringify({ iss: auth.clientId, sub: auth.username, aud: audience, exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_SECONDS }),
  );
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), createPrivateKey(auth.privateKey ?? ''));
  return `${header}.${claims}.${base64url(signature)}`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()]!;
  });
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!.trim()) : undefined;
}

/** The lower of the configured API version and the last one SOAP login() exists in. */
export function soapLoginVersion(apiVersion: string): string {
  return Number(apiVersion) > Number(DEFAULTS.soapLoginMaxApiVersion) ? DEFAULTS.soapLoginMaxApiVersion : apiVersion;
}

class LoginFlow implements Authenticator {
  readonly flow: AuthConfig['type'];
  readonly renewable: boolean;
  readonly #auth: AuthConfig;
  readonly #options: AuthenticatorOptions;
  #refreshToken: string | undefined;

  constructor(auth: AuthConfig, options: AuthenticatorOptions) {
    this.flow = auth.type;
    this.renewable = auth.type !== 'access_token';
    this.#auth = auth;
    this.#options = options;
    this.#refreshToken = auth.refreshToken;
  }

  async login(signal?: AbortSignal): Promise<Session> {
    const auth = this.#auth;
    const password = `${auth.password ?? ''}${auth.securityToken ?? ''}`;
    switch (auth.type) {
      case 'access_token':
        secrets.register(auth.accessToken);
        return { accessToken: auth.accessToken ?? '', instanceUrl: auth.instanceUrl ?? '', obtainedAt: this.#now() };
      case 'oauth_refresh_token':
        return this.#oauth({ grant_type: 'refresh_token', client_id: auth.clientId, client_secret: auth.clientSecret, refresh_token: this.#refreshToken }, signal);
      case 'password':
        return this.#oauth({ grant_type: 'password', client_id: auth.clientId, client_secret: auth.clientSecret, username: auth.username, password }, signal);
      case 'client_credentials':
        return this.#oauth({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret }, signal);
      case 'jwt':
        return this.#oauth({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: buildJwtAssertion(auth, this.#now()) }, signal);
      case 'soap':
        return this.#soap(password, signal);
    }
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #oauth(params: Record<string, string | undefined>, signal?: AbortSignal): Promise<Session> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, v);
    if (params.assertion) secrets.register(params.assertion);
    const response = await this.#options.send({
      method: 'POST',
      url: `${this.#auth.loginUrl}/services/oauth2/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal,
      // Replaying a token request is harmless except under rotation, where the retry fails cleanly.
      idempotent: true,
    });
    const text = await readBodyText(response);
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (body !== undefined && typeof body.access_token === 'string') secrets.register(body.access_token);
    if (body !== undefined && typeof body.refresh_token === 'string') secrets.register(body.refresh_token);
    if (response.status !== 200 || body === undefined || typeof body.access_token !== 'string') {
      if (body !== undefined && typeof body.error === 'string') {
        throw oauthLoginError(this.flow, body.error, String(body.error_description ?? ''), response.status);
      }
      if (response.status === 200 && body !== undefined) {
        throw new TapError('TAP_LOGIN_NO_ACCESS_TOKEN', 'Login answered HTTP 200 without an access_token: the login host may not be Salesforce (check `login_url`), or a proxy rewrote the reply.', { kind: 'salesforce' });
      }
      const error = toResponseError(response.status, response.headers['content-type'], text, 'Login');
      throw error.kind === 'salesforce' ? new TapError(error.code, error.message, { kind: 'auth', detail: error.detail }) : error;
    }
    if (typeof body.instance_url !== 'string') {
      throw new TapError('TAP_LOGIN_NO_INSTANCE_URL', 'Login answered without an instance_url.', { kind: 'salesforce' });
    }
    const rotated = body.refresh_token;
    if (this.flow === 'oauth_refresh_token' && typeof rotated === 'string' && rotated !== this.#refreshToken) {
      this.#refreshToken = rotated;
      await this.#options.onRefreshTokenRotated?.(rotated);
    }
    return { accessToken: body.access_token, instanceUrl: this.#auth.instanceUrl ?? originOf(body.instance_url), obtainedAt: this.#now() };
  }

  async #soap(password: string, signal?: AbortSignal): Promise<Session> {
    const version = soapLoginVersion(this.#options.apiVersion);
    const envelope =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>' +
      '<n1:login xmlns:n1="urn:partner.soap.sforce.com">' +
      `<n1:username>${escapeXml(this.#auth.username ?? '')}</n1:username>` +
      `<n1:password>${escapeXml(password)}</n1:password>` +
      '</n1:login></env:Body></env:Envelope>';
    const response = await this.#options.send({
      method: 'POST',
      url: `${this.#auth.loginUrl}/services/Soap/u/${version}`,
      headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: 'login' },
      body: envelope,
      signal,
      idempotent: true,
    });
    const xml = await readBodyText(response);
    const sessionId = xmlElement(xml, 'sessionId');
    secrets.register(sessionId);
    const faultCode = xmlElement(xml, 'faultcode');
    if (faultCode !== undefined) throw soapLoginError(faultCode, xmlElement(xml, 'faultstring') ?? '', response.status);
    const serverUrl = xmlElement(xml, 'serverUrl');
    if (response.status !== 200 || sessionId === undefined || serverUrl === undefined) {
      if (response.status === 404 || response.status === 410) throw soapLoginError('UNSUPPORTED_API_VERSION', `HTTP ${response.status}`, response.status);
      const error = toResponseError(response.status, response.headers['content-type'], xml, 'SOAP login');
      throw error.kind === 'salesforce' ? new TapError(error.code, error.message, { kind: 'auth', detail: error.detail }) : error;
    }
    return { accessToken: sessionId, instanceUrl: this.#auth.instanceUrl ?? originOf(serverUrl), obtainedAt: this.#now() };
  }
}

export function createAuthenticator(auth: AuthConfig, options: AuthenticatorOptions): Authenticator {
  return new LoginFlow(auth, options);
}
