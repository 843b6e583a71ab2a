/**
 * Adds the bearer token to every request and keeps the session alive: one single-flight re-login
 * when a response says the session is invalid (401 INVALID_SESSION_ID), then one replay; and a
 * proactive re-login once the session is older than `maxAgeMs`, before Salesforce's timeout
 * would bite mid-run. Concurrent requests that hit the same expired session share one login.
 */
import { TapError } from '../../core/errors.js';
import type { Authenticator, Session } from '../auth/types.js';
import { actionFor, parseErrorBody } from './error-table.js';
import { readBodyText, type HttpResponse, type RequestFn } from './types.js';

export interface SessionManager {
  /** The current session, logging in first if there is none yet or it is too old. */
  current(signal?: AbortSignal): Promise<Session>;
  /** Logs in again unless a newer session than `stale` exists already. */
  renew(stale: Session, signal?: AbortSignal): Promise<Session>;
  /** The newest session obtained, without logging in. */
  latest(): Session | undefined;
  readonly logins: number;
}

export function createSessionManager(authenticator: Authenticator, options: { maxAgeMs: number; now?: () => number }): SessionManager {
  const now = options.now ?? Date.now;
  let session: Session | undefined;
  let pending: Promise<Session> | undefined;
  let logins = 0;
  const login = (signal?: AbortSignal): Promise<Session> => {
    pending ??= (async () => {
      try {
        logins += 1;
        session = await authenticator.login(signal);
        return session;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  return {
    get logins() {
      return logins;
    },
    latest: () => session,
    async current(signal) {
      if (pending) return pending;
      if (session === undefined) return login(signal);
      if (authenticator.renewable && now() - session.obtainedAt > options.maxAgeMs) return login(signal);
      return session;
    },
    async renew(stale, signal) {
      if (pending) return pending;
      if (session !== undefined && session !== stale) return session;
      if (!authenticator.renewable) {
        throw new TapError('SF_INVALID_SESSION_ID', 'The access token expired or was revoked. Provide a new `access_token`, or use a flow the tap can renew (refresh token, JWT, client credentials).', { kind: 'auth' });
      }
      return login(signal);
    },
  };
}

function bufferedResponse(response: HttpResponse, text: string): HttpResponse {
  const body = Buffer.from(text);
  return {
    status: response.status,
    headers: response.headers,
    body: (async function* () {
      yield body;
    })(),
    discard: async () => {},
  };
}

/** Bulk API 1.0 takes the session in `X-SFDC-Session` and says it is invalid with 400 InvalidSessionId. */
const ASYNC_API = /^https?:\/\/[^/]+\/services\/async\//;

/** `request.url` is already absolute; this only authorizes and renews. */
export function withSession(next: RequestFn, sessions: SessionManager): RequestFn {
  return async (request) => {
    const first = await sessions.current(request.signal);
    const isAsync = ASYNC_API.test(request.url);
    const attempt = (session: Session): Promise<HttpResponse> =>
      next({ ...request, headers: { ...request.headers, ...(isAsync ? { 'x-sfdc-session': session.accessToken } : { authorization: `Bearer ${session.accessToken}` }) } });
    const response = await attempt(first);
    if (isAsync && response.status === 400) {
      const text = await readBodyText(response);
      if (parseErrorBody(text)?.[0]?.errorCode !== 'InvalidSessionId') return bufferedResponse(response, text);
      return attempt(await sessions.renew(first, request.signal));
    }
    if (response.status !== 401) return response;
    const text = await readBodyText(response);
    const code = parseErrorBody(text)?.[0]?.errorCode;
    if (actionFor(401, code, request.idempotent) !== 'relogin') return bufferedResponse(response, text);
    const renewed = await sessions.renew(first, request.signal);
    // Replayed once even when not idempotent: Salesforce refused it before doing anything.
    return attempt(renewed);
  };
}
