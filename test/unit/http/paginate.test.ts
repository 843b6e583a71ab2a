import { describe, expect, it } from 'vitest';
import { createPageGuard, paginate } from '../../../src/salesforce/paginate.js';

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('paginate', () => {
  it('follows tokens until a page names none', async () => {
    const pages: Record<string, { rows: number[]; next?: string }> = { a: { rows: [1], next: 'b' }, b: { rows: [2], next: 'c' }, c: { rows: [3] } };
    const got = await collect(paginate({ what: 'test', first: async () => pages.a!, tokenOf: (p) => p.next, fetch: async (t) => pages[t]! }));
    expect(got.flatMap((p) => p.rows)).toEqual([1, 2, 3]);
  });

  it('stops with TAP_PAGINATION_LOOP when a token comes back', async () => {
    let fetched = 0;
    const pages = paginate({
      what: 'REST query',
      first: async () => ({ next: 'x-2000' }),
      tokenOf: (p) => p.next,
      fetch: async () => {
        fetched += 1;
        return { next: fetched < 3 ? `x-${2000 * (fetched + 1)}` : 'x-4000' };
      },
    });
    await expect(collect(pages)).rejects.toMatchObject({ code: 'TAP_PAGINATION_LOOP', kind: 'salesforce' });
    expect(fetched).toBe(3);
  });

  it('lets the same page be fetched again (a retry) but not moved to twice', () => {
    const guard = createPageGuard('Bulk API 2.0 job 750 results', 'L1');
    expect(guard.next('L2')).toBe('L2');
    expect(guard.next(undefined)).toBeUndefined();
    expect(() => guard.next('L1')).toThrow(/a second time/);
  });
});
