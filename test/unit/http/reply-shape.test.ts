import { describe, expect, it } from 'vitest';
import { checkReplyShape } from '../../../src/salesforce/reply-shape.js';

const PAGE = { totalSize: 'number', done: 'boolean', nextRecordsUrl: 'string?', records: 'array' } as const;

describe('checkReplyShape', () => {
  it('accepts a reply with the fields the tap reads, absent optional ones included', () => {
    expect(() => checkReplyShape({ totalSize: 1, done: true, records: [{}], extra: 1 }, PAGE, 'GET /query')).not.toThrow();
    expect(() => checkReplyShape({ totalSize: 1, done: false, nextRecordsUrl: null, records: [] }, PAGE, 'GET /query')).not.toThrow();
  });

  it.each([
    [{ totalSize: 1, done: true, records: null }, '`records` being null where an array belongs'],
    [{ totalSize: '1', done: true, records: [] }, '`totalSize` being a string where a number belongs'],
    [{ totalSize: 1, records: [] }, '`done` missing where a boolean belongs'],
    [{ totalSize: 1, done: true, records: [], nextRecordsUrl: 7 }, '`nextRecordsUrl` being a number where a string belongs'],
    [[], 'an array where an object belongs'],
    [null, 'null where an object belongs'],
  ])('refuses %j with one error naming the endpoint', (reply, problem) => {
    expect(() => checkReplyShape(reply, PAGE, 'GET /services/data/v65.0/query')).toThrow(expect.objectContaining({ code: 'TAP_REPLY_SHAPE', message: expect.stringContaining(`GET /services/data/v65.0/query: Salesforce answered with ${problem}`) }));
  });
});
