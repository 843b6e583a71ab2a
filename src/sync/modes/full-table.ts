/**
 * `full-table`: the whole object in one read, then a STATE saying the pass completed. A stream
 * without a replication key (or chosen as full refresh) is read this way on every run.
 */
import type { ReadMode } from '../read-modes.js';

export interface FullTableBookmark {
  complete: true;
}

export const fullTableMode: ReadMode<FullTableBookmark, undefined> = {
  id: 'full-table',
  serves: () => true,
  bookmark: (stored) => (stored?.complete ? { complete: true } : undefined),
  async plan(_bookmark, ctx) {
    await ctx.estimate(undefined);
    return undefined;
  },
  async *read(_plan, ctx) {
    for await (const batch of ctx.read(undefined)) yield { batch };
    yield { position: { complete: true } };
  },
  checkpoint: () => ({ complete: true }),
};
