import { describe, expect, it } from 'vitest';
import { parseErrorBody, toResponseError } from '../../../src/salesforce/http/error-table.js';
import { readElements, readResultIds } from '../../../src/salesforce/bulk1/xml.js';
import { pkChunkingParent } from '../../../src/sync/bulk1-reader.js';

const NS = 'http://www.force.com/2009/06/asyncapi/dataload';

describe('Bulk API 1.0 replies', () => {
  it('reads a batchInfoList as the documented PK chunking example writes it', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><batchInfoList\n   xmlns="${NS}">\n <batchInfo>\n  <id>751D00000004YjwIAE</id>\n  <jobId>750D00000004T5OIAU</jobId>\n  <state>NotProcessed</state>\n  <numberRecordsProcessed>0</numberRecordsProcessed>\n </batchInfo>\n <batchInfo>\n  <id>751D00000004Yk1IAE</id>\n  <jobId>750D00000004T5OIAU</jobId>\n  <state>Failed</state>\n  <stateMessage>InvalidBatch : Failed &amp; retried &lt;15&gt; times</stateMessage>\n  <numberRecordsProcessed>100000</numberRecordsProcessed>\n </batchInfo>\n</batchInfoList>`;
    const batches = readElements(xml, 'batchInfo');
    expect(batches).toEqual([
      { id: '751D00000004YjwIAE', jobId: '750D00000004T5OIAU', state: 'NotProcessed', numberRecordsProcessed: '0' },
      { id: '751D00000004Yk1IAE', jobId: '750D00000004T5OIAU', state: 'Failed', stateMessage: 'InvalidBatch : Failed & retried <15> times', numberRecordsProcessed: '100000' },
    ]);
  });

  it('reads the result ids of a result-list, and refuses a body that is not one', () => {
    expect(readResultIds(`<result-list xmlns="${NS}"><result>752x00000004CJE</result><result>752x00000004CJF</result></result-list>`)).toEqual(['752x00000004CJE', '752x00000004CJF']);
    expect(readResultIds(`<result-list xmlns="${NS}"/>`)).toEqual([]);
    expect(() => readResultIds('<html>proxy</html>')).toThrow(/result-list/);
  });

  it('turns XML and JSON error documents into Salesforce errors with their exceptionCode', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><error\n   xmlns="${NS}">\n <exceptionCode>InvalidSessionId</exceptionCode>\n <exceptionMessage>Invalid session id</exceptionMessage>\n</error>`;
    expect(parseErrorBody(xml)).toEqual([{ errorCode: 'InvalidSessionId', message: 'Invalid session id' }]);
    expect(parseErrorBody('{"exceptionCode":"InvalidJob","exceptionMessage":"Invalid job id: 750x"}')).toEqual([{ errorCode: 'InvalidJob', message: 'Invalid job id: 750x' }]);
    const error = toResponseError(400, 'application/xml', xml, 'GET /services/async/65.0/job/750x');
    expect(error.code).toBe('SF_InvalidSessionId');
    expect(error.kind).toBe('auth');
    expect(toResponseError(400, 'application/json', '{"exceptionCode":"ExceededQuota","exceptionMessage":"x"}', 'POST job').kind).toBe('quota');
  });
});

describe('PK chunking parents', () => {
  it('chunks history and sharing objects over their parent, other objects over their own Ids', () => {
    expect(pkChunkingParent('AccountHistory')).toBe('Account');
    expect(pkChunkingParent('OpportunityFieldHistory')).toBe('Opportunity');
    expect(pkChunkingParent('CaseShare')).toBe('Case');
    expect(pkChunkingParent('Invoice__History')).toBe('Invoice__c');
    expect(pkChunkingParent('Invoice__Share')).toBe('Invoice__c');
    expect(pkChunkingParent('Account')).toBeUndefined();
    expect(pkChunkingParent('Invoice__c')).toBeUndefined();
  });
});
