/**
 * What every auth flow shares: the session a login yields, the login host settings common to all
 * flows, and the shape of a flow's module (flows/*.ts), from which the registry (registry.ts)
 * derives config parsing (aliases, required settings, inference) and logins.
 */
import type { RequestFn } from '../http/types.js';

/** A logged-in session: the bearer token for data calls and the org's host. */
export interface Session {
  accessToken: string;
  /** No trailing slash. */
  instanceUrl: string;
  /** Epoch ms when this session was obtained (proactive re-login counts from it). */
  obtainedAt: number;
}

export interface Authenticator {
  readonly flow: string;
  /** Whether login() can produce a new session (false for a plain access token). */
  readonly renewable: boolean;
  login(signal?: AbortSignal): Promise<Session>;
}

/** Where logins go, the same for every flow. */
export interface LoginHost {
  /** The custom `login_url`, else login.salesforce.com / test.salesforce.com. No trailing slash. */
  loginUrl: string;
  /** Whether `login_url` was set by the user (client credentials require a My Domain host). */
  customLoginUrl: boolean;
  isSandbox: boolean;
  /** Known before login only for `access_token` (required) or when the user pins it. */
  instanceUrl?: string;
}

export interface LoginOptions {
  apiVersion: string;
  /** The request function logins go through (with retries on network errors and 5xx). */
  send: RequestFn;
  /** Called with a refresh token Salesforce rotated, after it replaced the old one in memory. */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  now?: () => number;
}

/** The flat config settings (`client_id`, ...) as a flow reads them; required ones are known to be set. */
export interface AuthSettings {
  required(key: string): string;
  optional(key: string): string | undefined;
}

/** One auth flow: how config names and recognises it, what it needs, how it logs in. */
export interface AuthFlow<C extends LoginHost & { type: string }> {
  readonly type: C['type'];
  /** Other words users write in `auth_type` for it (matched lower-case). */
  readonly aliases: readonly string[];
  /** The settings it cannot log in without. */
  readonly requires: readonly string[];
  /** How messages name it: "the JWT bearer flow". */
  readonly title: string;
  /** Whether a config without `auth_type` means this flow; flows are asked in registry order. */
  inferFrom(has: (key: string) => boolean): boolean;
  /** Whether logging in again yields a new session. */
  readonly renewable: boolean;
  /** The flow's typed config; what the schema cannot check is added to `problems`. */
  build(settings: AuthSettings, host: LoginHost, problems: string[]): C;
  /** A login function: each call yields a new session. */
  connect(config: C, options: LoginOptions): (signal?: AbortSignal) => Promise<Session>;
}
