/**
 * The OAuth token endpoint every OAuth flow posts to: the form is encoded properly (any
 * character in a password works), every token is registered as a secret the moment it arrives,
 * and Salesforce's `{"error","error_description"}` becomes an auth TapError with advice.
 */
import { TapError } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';
import { toResponseError } from '../http/error-table.js';
import { readBodyText, type RequestFn } from '../http/types.js';
import { oauthLoginError, type FlowAdvice } from './auth-errors.js';
import type { Session } from './types.js';

export interface TokenRequest {
  send: RequestFn;
  loginUrl: string;
  /** Unset values are left out. */
  params: Record<string, string | undefined>;
  /** The flow's own advice in a login error. */
  advice?: FlowAdvice;
  signal?: AbortSignal | undefined;
  /** Replaying is harmless except for single-use grants (an authorization code). */
  idempotent?: boolean;
}

/** Posts a token request; resolves with the JSON reply that carries an `access_token`. */
export async function requestOAuthToken(request: TokenRequest): Promise<Record<string, unknown> & { access_token: string }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(request.params)) if (v !== undefined) form.set(k, v);
  const response = await request.send({
    method: 'POST',
    url: `${request.loginUrl}/services/oauth2/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    signal: request.signal,
    // Replaying a token request is harmless except under rotation, where the retry fails cleanly.
    idempotent: request.idempotent ?? true,
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
      throw oauthLoginError(request.advice ?? {}, body.error, String(body.error_description ?? ''), response.status);
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
  return body as Record<string, unknown> & { access_token: string };
}

/** The session of a token reply; a pinned `instance_url` wins over the one Salesforce names. */
export function toSession(body: Record<string, unknown> & { access_token: string }, pinnedInstanceUrl: string | undefined, now: number): Session {
  return { accessToken: body.access_token, instanceUrl: pinnedInstanceUrl ?? new URL(String(body.instance_url)).origin, obtainedAt: now };
}
