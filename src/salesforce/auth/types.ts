import type { AuthType } from '../../config/types.js';

/** A logged-in session: the bearer token for data calls and the org's host. */
export interface Session {
  accessToken: string;
  /** No trailing slash. */
  instanceUrl: string;
  /** Epoch ms when this session was obtained (proactive re-login counts from it). */
  obtainedAt: number;
}

export interface Authenticator {
  readonly flow: AuthType;
  /** Whether login() can produce a new session (false for a plain access token). */
  readonly renewable: boolean;
  login(signal?: AbortSignal): Promise<Session>;
}
