import { describe, expect, it } from 'vitest';
import type { SalesforceClient } from '../../../src/salesforce/client.js';
import { SalesforceApiError } from '../../../src/salesforce/client.js';
import { CompositeBatcher } from '../../../src/salesforce/composite-batcher.js';

interface Sub {
  method: string;
  url: string;
  referenceId: string;
}

/** A client whose Composite endpoint answers each subrequest with its own URL (or an error for `fail`). */
function fakeClient() {
  const requests: Sub[][] = [];
  const client = {
    apiVersion: '62.0',
    async json(path: string, options: { body: { compositeRequest: Sub[] } }) {
      expect(path).toBe('composite');
      const subs = options.body.compositeRequest;
      requests.push(subs);
      return {
        compositeResponse: subs.map((s) =>
          s.url.includes('fail') ? { referenceId: s.referenceId, httpStatusCode: 400, body: [{ errorCode: 'INVALID_REPLICATION_DATE', message: 'too old' }] } : { referenceId: s.referenceId, httpStatusCode: 200, body: { url: s.url } },
        ),
      };
    },
  } as unknown as SalesforceClient;
  return { client, requests };
}

const isQuery = (s: Sub) => /\/(query|queryAll)\?/.test(s.url);

describe('CompositeBatcher', () => {
  it('packs up to 25 subrequests per request, at most 5 of them queries, in arrival order', async () => {
    const { client, requests } = fakeClient();
    const batcher = new CompositeBatcher(client, { lingerMs: 5 });
    const queries = Array.from({ length: 12 }, (_, i) => batcher.firstPage(`SELECT Id FROM O${i}__c`, i % 2 === 0));
    const gets = Array.from({ length: 40 }, (_, i) => batcher.get<{ url: string }>(`sobjects/O${i}__c/deleted/`, { start: '2024-01-01T00:00:00+00:00' }));
    const answers = await Promise.all([...queries, ...gets]);
    expect(requests.every((subs) => subs.length <= 25 && subs.filter(isQuery).length <= 5)).toBe(true);
    expect(requests.flat()).toHaveLength(52);
    // 12 queries need 3 requests; the 40 other reads fill them up: 52 subrequests in 3 requests.
    expect(requests).toHaveLength(3);
    expect((answers[1] as unknown as { url: string }).url).toBe(`/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM O1__c')}`);
    expect((answers[12] as unknown as { url: string }).url).toBe('/services/data/v62.0/sobjects/O0__c/deleted/?start=2024-01-01T00%3A00%3A00%2B00%3A00');
  });

  it('rejects a failed subrequest with its Salesforce error, the others unaffected', async () => {
    const { client } = fakeClient();
    const batcher = new CompositeBatcher(client, { lingerMs: 1 });
    const [ok, failed] = await Promise.allSettled([batcher.get('sobjects/A/deleted/'), batcher.get('sobjects/fail/deleted/')]);
    expect(ok.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as SalesforceApiError;
    expect(error).toBeInstanceOf(SalesforceApiError);
    expect(error.code).toBe('SF_INVALID_REPLICATION_DATE');
  });
});
