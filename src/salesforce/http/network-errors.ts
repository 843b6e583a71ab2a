/**
 * Network failures (no HTTP answer) as TapErrors. They are retryable for idempotent requests;
 * once retries are exhausted they are `transient` (a later run may succeed), except an abort,
 * which is the run being interrupted.
 */
import { TapError } from '../../core/errors.js';

const HOST_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbortError(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error as { name?: unknown } | null)?.name === 'AbortError' || codeOf(error) === 'UND_ERR_ABORTED';
}

export function interruptedError(cause?: unknown): TapError {
  return new TapError('TAP_INTERRUPTED', 'The run was interrupted.', { kind: 'interrupted', cause });
}

/** Describes a failed request without its query string (it may carry SOQL with values). */
export function toNetworkError(error: unknown, url: string, signal?: AbortSignal): TapError {
  if (error instanceof TapError) return error;
  if (isAbortError(error, signal)) return interruptedError(error);
  const code = codeOf(error) ?? 'UNKNOWN';
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the raw text
  }
  if (HOST_NOT_FOUND.has(code)) {
    return new TapError('TAP_HOST_NOT_FOUND', `Cannot resolve ${host}: check the login or instance URL and the network's DNS.`, { kind: 'transient', cause: error, retryable: true, detail: code });
  }
  if (code === 'ECONNREFUSED') {
    return new TapError('TAP_CONNECTION_REFUSED', `${host} refused the connection: check the login or instance URL, proxies and firewalls.`, { kind: 'transient', cause: error, retryable: true, detail: code });
  }
  if (TIMEOUTS.has(code)) {
    return new TapError('TAP_TIMEOUT', `${host} did not answer in time (${code}).`, { kind: 'transient', cause: error, retryable: true, detail: code });
  }
  return new TapError('TAP_NETWORK_ERROR', `The connection to ${host} failed (${code}).`, { kind: 'transient', cause: error, retryable: true, detail: code });
}
