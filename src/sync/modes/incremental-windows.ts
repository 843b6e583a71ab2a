/**
 * `incremental-windows`: half-open windows `[start, end)` on the replication key, read in order,
 * each checkpointed at its end once its records are out. A window that is too big (a Bulk job
 * timed out) is read again as two halves, each checkpointed. The bookmark is today's state
 * format (`replicationKey` + `value`), so existing state files resume unchanged.
 */
import type { SyncWindow } from '../read-apis.js';
import { ShrinkRange, type ModeContext, type ModeOutput, type ReadMode } from '../read-modes.js';

export interface WindowsBookmark {
  replicationKey?: string | undefined;
  /** ISO-8601 UTC: every row with key < value has been emitted. */
  value?: string;
}

export interface WindowsPlan {
  bookmark: WindowsBookmark | undefined;
  windows: SyncWindow[];
}

export async function* readWindow(window: SyncWindow, ctx: ModeContext): AsyncIterable<ModeOutput<WindowsBookmark>> {
  // Counted empty when planned: no job, only the checkpoint.
  if (window.rows !== 0) {
    try {
      for await (const batch of ctx.read(window)) yield { batch };
    } catch (error) {
      if (!(error instanceof ShrinkRange)) throw error;
      const halves = ctx.hooks.splitWindow(window);
      if (!halves) throw error.error;
      await ctx.log('warn', `${ctx.stream.definition.name}: window ${window.start} – ${window.end} failed (${error.error.code}); retrying it in two halves`);
      yield* readWindow(halves[0], ctx);
      yield* readWindow(halves[1], ctx);
      return;
    }
  }
  // The window's records are all out: checkpoint its end.
  yield { position: { replicationKey: ctx.stream.replicationKey, value: window.end } };
}

export const incrementalWindowsMode: ReadMode<WindowsBookmark, WindowsPlan> = {
  id: 'incremental-windows',
  serves: (stream) => stream.method === 'INCREMENTAL' && stream.replicationKey !== undefined,
  bookmark: (stored) => (stored && (stored.replicationKey !== undefined || stored.value !== undefined) ? { replicationKey: stored.replicationKey, ...(stored.value ? { value: stored.value } : {}) } : undefined),
  async plan(bookmark, ctx) {
    const windows = await ctx.hooks.planWindows(ctx.stream, bookmark, ctx.syncStart, ctx.signal);
    const counted = windows.every((w) => w.rows !== undefined) ? windows.reduce((sum, w) => sum + w.rows!, 0) : undefined;
    // One window tells its own row count as it is read: no COUNT() call for it (an API call per stream on every incremental run).
    if (windows.length > 1 || (windows.length === 1 && counted !== undefined)) await ctx.estimate({ start: windows[0]!.start, end: windows.at(-1)!.end }, counted);
    return { bookmark, windows };
  },
  async *read(plan, ctx) {
    for (let i = 0; i < plan.windows.length; i += 1) {
      // The next windows' jobs start on Salesforce while this one downloads.
      ctx.prefetch(plan.windows.slice(i + 1).filter((w) => w.rows !== 0));
      yield* readWindow(plan.windows[i]!, ctx);
    }
    // Nothing to read (e.g. a bookmark at or past the sync start): still checkpoint.
    if (plan.windows.length === 0) yield { position: plan.bookmark ?? { replicationKey: ctx.stream.replicationKey } };
  },
  checkpoint: (position) => ({ replicationKey: position.replicationKey, ...(position.value ? { value: position.value } : {}) }),
};
