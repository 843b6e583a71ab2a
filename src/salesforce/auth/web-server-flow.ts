/**
 * The OAuth 2.0 web server flow with PKCE (S256), which is how a person gets a refresh token for
 * the tap without Postman: the authorize URL the browser opens, and the exchange of the code the
 * callback receives for tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TapError } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';
import { readBodyText, type RequestFn } from '../http/types.js';
import { oauthLoginError } from './auth-errors.js';

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomBytes(48).toString('base64url');
  secrets.register(verifier);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function createOAuthState(): string {
  return randomBytes(16).toString('base64url');
}

export interface AuthorizeRequest {
  loginUrl: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  state: string;
  scopes: string;
}

export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const url = new URL('/services/oauth2/authorize', request.loginUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('code_challenge', request.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', request.state);
  if (request.scopes.trim()) url.searchParams.set('scope', request.scopes.trim());
  return url.toString();
}

export interface CodeExchange {
  loginUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  code: string;
  verifier: string;
}

export interface WebServerTokens {
  refreshToken: string;
  instanceUrl: string;
}

export async function exchangeAuthorizationCode(send: RequestFn, exchange: CodeExchange, signal?: AbortSignal): Promise<WebServerTokens> {
  secrets.register(exchange.code);
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: exchange.code,
    client_id: exchange.clientId,
    redirect_uri: exchange.redirectUri,
    code_verifier: exchange.verifier,
  });
  if (exchange.clientSecret) form.set('client_secret', exchange.clientSecret);
  const response = await send({
    method: 'POST',
    url: new URL('/services/oauth2/token', exchange.loginUrl).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    ...(signal ? { signal } : {}),
    // A code works once: a replay would fail and hide the first answer.
    idempotent: false,
  });
  const text = await readBodyText(response);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new TapError('TAP_UNEXPECTED_RESPONSE', `The token endpoint answered HTTP ${response.status} with a body that is not JSON: check the login URL.`, { kind: 'salesforce' });
  }
  for (const key of ['access_token', 'refresh_token'] as const) if (typeof body[key] === 'string') secrets.register(body[key]);
  if (typeof body.error === 'string') throw oauthLoginError('oauth_refresh_token', body.error, String(body.error_description ?? ''), response.status);
  if (typeof body.refresh_token !== 'string') {
    throw new TapError('TAP_NO_REFRESH_TOKEN', 'Salesforce answered without a refresh token: add the "refresh_token, offline_access" scope to the connected app (and to --scopes), then log in again.', { kind: 'auth' });
  }
  if (typeof body.instance_url !== 'string') throw new TapError('TAP_LOGIN_NO_INSTANCE_URL', 'Login answered without an instance_url.', { kind: 'salesforce' });
  return { refreshToken: body.refresh_token, instanceUrl: body.instance_url };
}
