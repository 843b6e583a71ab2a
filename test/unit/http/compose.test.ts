import { describe, expect, it } from 'vitest';
import { compose, type Wrapper } from '../../../src/salesforce/http/compose.js';
import type { HttpResponse, RequestFn } from '../../../src/salesforce/http/types.js';

describe('compose', () => {
  it('wraps each wrapper around the ones before it, the last outermost', async () => {
    const order: string[] = [];
    const base: RequestFn = async () => {
      order.push('base');
      return { status: 200, headers: {}, body: (async function* () {})(), discard: async () => {} } satisfies HttpResponse;
    };
    const tag =
      (name: string): Wrapper =>
      (next) =>
      async (request) => {
        order.push(`${name}>`);
        const response = await next(request);
        order.push(`<${name}`);
        return response;
      };
    await compose(base, tag('inner'), tag('outer'))({ method: 'GET', url: 'http://x', headers: {}, idempotent: true });
    expect(order).toEqual(['outer>', 'inner>', 'base', '<inner', '<outer']);
  });
});
