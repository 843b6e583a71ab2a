/**
 * Builds the authenticated SalesforceClient for a config: one keep-alive pool, logins with
 * retries on network errors and 5xx, the first login done before returning (so a bad credential
 * fails here, once), and the HTTP wrappers around data calls.
 */
import type { TapConfig } from '../../config/types.js';
import { DEFAULTS } from '../../core/defaults.js';
import { createAuthenticator } from '../auth/registry.js';
import { createBaseRequester, type ProxySettings } from './send-request.js';
import type { RequestFn } from './types.js';
import { SalesforceHttpClient } from './salesforce-http-client.js';
import { createSessionManager } from './with-session.js';
import { withRetry, type RetryOptions } from './with-retry.js';

export interface ConnectOptions {
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void> | void;
  onRetry?: RetryOptions['onRetry'];
  signal?: AbortSignal;
  proxy?: ProxySettings;
  /** Sent as User-Agent, so org admins can tell the tap's calls apart in their logs. */
  userAgent?: string;
  /** Told of every request once its response headers arrived (or it failed): for timing metrics. */
  onRequest?: (request: { method: string; url: string; status?: number; seconds: number }) => void;
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
  const onRequest = options.onRequest;
  const send: RequestFn = onRequest
    ? async (request) => {
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        try {
          const response = await base.send(request);
          onRequest({ method: request.method, url: request.url, status: response.status, seconds: seconds() });
          return response;
        } catch (error) {
          onRequest({ method: request.method, url: request.url, seconds: seconds() });
          throw error;
        }
      }
    : base.send;
  const retry: RetryOptions = { maxRetries: Math.min(config.maxRetries, 3), baseMs: DEFAULTS.retryBaseMs, maxMs: DEFAULTS.retryMaxMs };
  if (options.onRetry) retry.onRetry = options.onRetry;
  const authenticator = createAuthenticator(config.auth, {
    apiVersion: config.apiVersion,
    send: withRetry(send, retry),
    ...(options.onRefreshTokenRotated ? { onRefreshTokenRotated: options.onRefreshTokenRotated } : {}),
  });
  const sessions = createSessionManager(authenticator, { maxAgeMs: DEFAULTS.sessionMaxAgeMs });
  try {
    const session = await sessions.current(options.signal);
    const client = new SalesforceHttpClient({
      apiVersion: config.apiVersion,
      send,
      sessions,
      session,
      retry: { ...retry, maxRetries: config.maxRetries },
    });
    return { client, logins: () => sessions.logins, close: () => base.close() };
  } catch (error) {
    await base.close();
    throw error;
  }
}
