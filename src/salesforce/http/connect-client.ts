/**
 * Builds the authenticated SalesforceClient for a config: one keep-alive pool, the request
 * wrappers composed once for logins and once for data calls, and the first login done before
 * returning (so a bad credential fails here, once).
 */
import type { TapConfig } from '../../config/types.js';
import { DEFAULTS } from '../../core/defaults.js';
import { createAuthenticator } from '../auth/registry.js';
import { createBaseRequester, type ProxySettings } from './send-request.js';
import { compose } from './compose.js';
import { SalesforceHttpClient } from './salesforce-http-client.js';
import { withBufferedBody } from './with-buffered-body.js';
import { createLimitTracker } from './with-limit-tracking.js';
import { withRetry, type RetryOptions } from './with-retry.js';
import { createSessionManager, withSession } from './with-session.js';
import { withTiming, type RequestListener } from './with-timing.js';

export interface ConnectOptions {
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  onRetry?: RetryOptions['onRetry'];
  signal?: AbortSignal;
  proxy?: ProxySettings;
  /** Sent as User-Agent, so org admins can tell the tap's calls apart in their logs. */
  userAgent?: string;
  /** Told of every request once its response headers arrived (or it failed): for timing metrics. */
  onRequest?: RequestListener;
}

export interface ConnectedClient {
  client: SalesforceHttpClient;
  /** Logins performed so far (the first one included). */
  logins(): number;
  close(): Promise<void>;
}

export async function connectSalesforce(config: TapConfig, options: ConnectOptions = {}): Promise<ConnectedClient> {
  // Enough sockets for every stream's job polling plus parallel result pages, and a few spare.
  const connections = config.streamConcurrency + config.bulkJobConcurrency * config.resultPageConcurrency + 4;
  const base = createBaseRequester({
    connections,
    connectTimeoutMs: config.connectTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    compression: config.compression,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  const loginRetry: RetryOptions = { maxRetries: Math.min(config.maxRetries, 3), baseMs: DEFAULTS.retryBaseMs, maxMs: DEFAULTS.retryMaxMs };
  if (options.onRetry) loginRetry.onRetry = options.onRetry;
  // From the socket outwards: each attempt is timed and counted; whole bodies are read inside the
  // retry boundary; the session wrapper renews and replays around all of it.
  const authenticator = createAuthenticator(config.auth, {
    apiVersion: config.apiVersion,
    send: compose(base.send, withTiming(options.onRequest), withBufferedBody({ always: true }), withRetry(loginRetry)),
    ...(options.onRefreshTokenRotated ? { onRefreshTokenRotated: options.onRefreshTokenRotated } : {}),
  });
  const sessions = createSessionManager(authenticator, { maxAgeMs: DEFAULTS.sessionMaxAgeMs });
  const limits = createLimitTracker();
  const request = compose(base.send, withTiming(options.onRequest), limits.wrapper, withBufferedBody(), withRetry({ ...loginRetry, maxRetries: config.maxRetries }), withSession(sessions));
  try {
    const session = await sessions.current(options.signal);
    const client = new SalesforceHttpClient({ apiVersion: config.apiVersion, request, sessions, session, usage: limits.usage });
    return { client, logins: () => sessions.logins, close: () => base.close() };
  } catch (error) {
    await base.close();
    throw error;
  }
}
