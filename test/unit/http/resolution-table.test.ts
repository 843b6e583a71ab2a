import { describe, expect, it } from 'vitest';
import { TapError } from '../../../src/core/errors.js';
import { SalesforceApiError } from '../../../src/salesforce/client.js';
import { apiOfUrl, resolveFailure, resolveReadFailure, shouldRetry } from '../../../src/salesforce/http/resolution-table.js';

const sfError = (status: number, errorCode: string, message = 'x') => new SalesforceApiError(status, [{ errorCode, message }], message);

describe('resolution table', () => {
  it.each([
    [{ api: 'rest', status: 401, errorCode: 'INVALID_SESSION_ID' }, 'relogin'],
    [{ api: 'bulk', status: 401 }, 'relogin'],
    [{ api: 'login', status: 401, errorCode: 'INVALID_SESSION_ID' }, 'fail'],
    [{ api: 'rest', status: 401, errorCode: 'SOMETHING_ELSE' }, 'fail'],
    [{ api: 'rest', status: 429 }, 'retry'],
    [{ api: 'rest', status: 500 }, 'retry'],
    [{ api: 'rest', status: 503, errorCode: 'SERVER_UNAVAILABLE' }, 'retry'],
    [{ api: 'rest', status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' }, 'fail'],
    [{ api: 'rest', status: 400, errorCode: 'MALFORMED_QUERY' }, 'fail'],
    [{ api: 'rest', code: 'TAP_NETWORK_ERROR', retryable: true }, 'retry'],
    [{ api: 'bulk', status: 400, errorCode: 'INVALIDENTITY' }, 'use_rest'],
    [{ api: 'rest', status: 400, errorCode: 'INVALIDENTITY' }, 'fail'],
    [{ api: 'bulk', status: 400, errorCode: 'API_ERROR', message: 'Selecting compound data not supported in Bulk Query' }, 'use_rest'],
    [{ api: 'bulk', status: 400, errorCode: 'API_ERROR', message: 'something else' }, 'fail'],
    [{ api: 'rest', status: 400, errorCode: 'QUERY_TIMEOUT' }, 'shrink_window'],
    [{ api: 'bulk', code: 'TAP_BULK_JOB_TIMEOUT' }, 'shrink_window'],
    [{ api: 'bulk', status: 400, errorCode: 'BULK_JOB_FAILED', message: 'InternalServerError: retried more than 15 times' }, 'shrink_window'],
    [{ api: 'bulk', status: 400, errorCode: 'BULK_JOB_FAILED', message: 'invalid field' }, 'fail'],
  ] as const)('%o → %s', (failure, action) => {
    expect(resolveFailure(failure).then).toBe(action);
  });

  it('replays a non-idempotent request only where Salesforce refused it before acting', () => {
    expect(shouldRetry({ api: 'bulk', status: 500 }, false)).toBe(false);
    expect(shouldRetry({ api: 'bulk', status: 500 }, true)).toBe(true);
    expect(shouldRetry({ api: 'bulk', status: 429 }, false)).toBe(true);
    expect(shouldRetry({ api: 'bulk', retryable: true }, false)).toBe(false);
  });

  it('tells the sync to read through REST, halve the window, or fail the stream', () => {
    expect(resolveReadFailure(sfError(400, 'INVALIDENTITY'), 'bulk')).toBe('use_rest');
    expect(resolveReadFailure(sfError(400, 'QUERY_TIMEOUT'), 'rest')).toBe('shrink_window');
    expect(resolveReadFailure(new TapError('SF_QUERY_TIMEOUT', 'timed out'), 'rest')).toBe('shrink_window');
    expect(resolveReadFailure(new TapError('TAP_BULK_JOB_TIMEOUT', 'slow'), 'bulk')).toBe('shrink_window');
    // Retries were the HTTP layer's: once a read failed for good, a network error fails the stream.
    expect(resolveReadFailure(new TapError('TAP_NETWORK_ERROR', 'reset', { retryable: true }), 'rest')).toBe('fail');
    expect(resolveReadFailure(sfError(500, 'UNKNOWN_EXCEPTION'), 'bulk')).toBe('fail');
  });

  it('knows the API of a request URL', () => {
    expect(apiOfUrl('https://x.my.salesforce.com/services/oauth2/token')).toBe('login');
    expect(apiOfUrl('https://x.my.salesforce.com/services/Soap/u/64.0')).toBe('login');
    expect(apiOfUrl('https://x.my.salesforce.com/services/data/v65.0/jobs/query/750x/results')).toBe('bulk');
    expect(apiOfUrl('https://x.my.salesforce.com/services/data/v65.0/query?q=x')).toBe('rest');
  });
});
