/**
 * Sessions: a single-flight login shared by every request that needs one (concurrent requests that
 * hit the same expired session share one login), a proactive re-login once the session is older
 * than `maxAgeMs` (before Salesforce's timeout would bite mid-run), and the wrapper that adds the
 * bearer token and renews on 401 INVALID_SESSION_ID.
 */
import { DEFAULTS } from '../../core/defaults.js';
import { TapError } from '../../core/errors.js';
import type { Authenticator, Session } from '../auth/types.js';
import type { Wrapper } from './compose.js';
import { parseErrorBody } from './error-table.js';
import { apiOfUrl, resolveFailure } from './resolution-table.js';
import { bufferedResponse, readBodyText } from './types.js';

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

/**
 * Authorizes every request with the current session and renews it when the resolution table says
 * so (401 INVALID_SESSION_ID), then replays the request. A request may renew up to `relogins`
 * times: when a second expiry comes close behind the first, the session it was replayed with may
 * be gone too; renewing again shares whatever login is under way. Only a session refused again
 * and again means logging in does not help: the last 401 then becomes the request's error.
 */
export function withSession(sessions: SessionManager, relogins = DEFAULTS.reloginsPerRequest): Wrapper {
  return (next) => async (request) => {
    const api = apiOfUrl(request.url);
    let session = await sessions.current(request.signal);
    for (let renewed = 0; ; renewed += 1) {
      const response = await next({ ...request, headers: { ...request.headers, authorization: `Bearer ${session.accessToken}` } });
      if (response.status !== 401) return response;
      const text = await readBodyText(response);
      const errorCode = parseErrorBody(text)?.[0]?.errorCode;
      // Replayed even when not idempotent: Salesforce refused it before doing anything.
      if (renewed >= relogins || resolveFailure({ api, status: 401, errorCode }).then !== 'relogin') return bufferedResponse(response, text);
      session = await sessions.renew(session, request.signal);
    }
  };
}
