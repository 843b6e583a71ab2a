/**
 * The OAuth 2.0 web server flow with PKCE (S256), which is how a person gets a refresh token for
 * the tap without Postman: the authorize URL the browser opens, and the exchange of the code the
 * callback receives for tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TapError } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';
import type { RequestFn } from '../http/types.js';
import { requestOAuthToken } from './oauth-token.js';

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
  const body = await requestOAuthToken({
    send,
    loginUrl: new URL(exchange.loginUrl).origin,
    params: {
      grant_type: 'authorization_code',
      code: exchange.code,
      client_id: exchange.clientId,
      redirect_uri: exchange.redirectUri,
      code_verifier: exchange.verifier,
      client_secret: exchange.clientSecret || undefined,
    },
    signal,
    // A code works once: a replay would fail and hide the first answer.
    idempotent: false,
  });
  if (typeof body.refresh_token !== 'string') {
    throw new TapError('TAP_NO_REFRESH_TOKEN', 'Salesforce answered without a refresh token: add the "refresh_token, offline_access" scope to the connected app (and to --scopes), then log in again.', { kind: 'auth' });
  }
  return { refreshToken: body.refresh_token, instanceUrl: String(body.instance_url) };
}
