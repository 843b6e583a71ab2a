import { describe, expect, it } from 'vitest';
import type { SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { TapError } from '../../../src/core/errors.js';
import { BUILT_IN_READ_MODES, modeFor } from '../../../src/sync/modes/built-in.js';
import { fullTableMode } from '../../../src/sync/modes/full-table.js';
import { incrementalWindowsMode } from '../../../src/sync/modes/incremental-windows.js';
import type { SyncWindow } from '../../../src/sync/read-apis.js';
import { ShrinkRange, type ModeContext, type ModeOutput, type SyncPlanHooks } from '../../../src/sync/read-modes.js';

function stream(method: 'INCREMENTAL' | 'FULL_TABLE'): SelectedStream {
  const definition: StreamDefinition = { name: 'Account', sobject: 'Account', custom: false, keyProperties: ['Id'], bulkSupported: true, hasIsDeleted: true, schema: {}, fields: [], validReplicationKeys: ['SystemModstamp'], replicationKey: 'SystemModstamp' };
  return { definition, fields: ['Id'], method, ...(method === 'INCREMENTAL' ? { replicationKey: 'SystemModstamp' } : {}) };
}

const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString();
const hooks = (windows: SyncWindow[]): SyncPlanHooks => ({
  planWindows: () => windows,
  splitWindow: (w) => {
    const a = Date.parse(w.start);
    const b = Date.parse(w.end);
    return b - a <= 86_400_000 ? undefined : [{ start: w.start, end: new Date((a + b) / 2).toISOString() }, { start: new Date((a + b) / 2).toISOString(), end: w.end }];
  },
  classifyFailure: () => 'fail',
  checkQuota: async () => undefined,
});

/** A context whose reads yield one record per range, or throw ShrinkRange for ranges `tooBig` says. */
function context(s: SelectedStream, h: SyncPlanHooks, tooBig: (r: SyncWindow) => boolean = () => false) {
  const reads: (SyncWindow | undefined)[] = [];
  const estimates: (SyncWindow | undefined)[] = [];
  const logs: string[] = [];
  const ctx: ModeContext = {
    stream: s, hooks: h, signal: new AbortController().signal, syncStart: new Date(day(10)),
    async *read(range) {
      reads.push(range);
      if (range && tooBig(range)) throw new ShrinkRange(new TapError('TAP_BULK_JOB_TIMEOUT', 'slow', { kind: 'transient' }));
      yield { count: 1, objects: [{ Id: range?.start ?? 'all' }] };
    },
    estimate: async (range) => void estimates.push(range),
    log: async (_level, message) => void logs.push(message),
  };
  return { ctx, reads, estimates, logs };
}

async function outputs<P>(iterable: AsyncIterable<ModeOutput<P>>): Promise<(string | P)[]> {
  const out: (string | P)[] = [];
  for await (const o of iterable) out.push('batch' in o ? `records:${String(o.batch.objects?.[0]?.Id)}` : o.position);
  return out;
}

describe('read modes', () => {
  it('reads incremental streams in windows and everything else as a full table', () => {
    expect(modeFor(stream('INCREMENTAL'), BUILT_IN_READ_MODES).id).toBe('incremental-windows');
    expect(modeFor(stream('FULL_TABLE'), BUILT_IN_READ_MODES).id).toBe('full-table');
    expect(modeFor({ ...stream('INCREMENTAL'), replicationKey: undefined } as SelectedStream, BUILT_IN_READ_MODES).id).toBe('full-table');
  });

  it('takes today\'s windows bookmark as it is stored, and writes it back the same', () => {
    const stored = { replicationKey: 'SystemModstamp', value: day(3) };
    const bookmark = incrementalWindowsMode.bookmark(stored, stream('INCREMENTAL'));
    expect(bookmark).toEqual(stored);
    expect(incrementalWindowsMode.checkpoint(bookmark!, stream('INCREMENTAL'))).toEqual(stored);
    expect(incrementalWindowsMode.bookmark({ complete: true }, stream('INCREMENTAL'))).toBeUndefined();
    expect(fullTableMode.bookmark({ complete: true }, stream('FULL_TABLE'))).toEqual({ complete: true });
  });

  it('checkpoints each window at its end, after its records, and estimates the whole range once', async () => {
    const s = stream('INCREMENTAL');
    const { ctx, estimates } = context(s, hooks([{ start: day(0), end: day(2) }, { start: day(2), end: day(3) }]));
    const plan = await incrementalWindowsMode.plan(undefined, ctx);
    expect(estimates).toEqual([{ start: day(0), end: day(3) }]);
    expect(await outputs(incrementalWindowsMode.read(plan, ctx))).toEqual([
      `records:${day(0)}`, { replicationKey: 'SystemModstamp', value: day(2) },
      `records:${day(2)}`, { replicationKey: 'SystemModstamp', value: day(3) },
    ]);
  });

  it('reads a window that was too big as two halves, each checkpointed', async () => {
    const s = stream('INCREMENTAL');
    const { ctx, reads, logs } = context(s, hooks([{ start: day(0), end: day(2) }]), (r) => r.start === day(0) && r.end === day(2));
    const out = await outputs(incrementalWindowsMode.read(await incrementalWindowsMode.plan(undefined, ctx), ctx));
    expect(reads).toEqual([{ start: day(0), end: day(2) }, { start: day(0), end: day(1) }, { start: day(1), end: day(2) }]);
    expect(out.filter((o) => typeof o !== 'string')).toEqual([{ replicationKey: 'SystemModstamp', value: day(1) }, { replicationKey: 'SystemModstamp', value: day(2) }]);
    expect(logs[0]).toContain('retrying it in two halves');
  });

  it('gives up with the read\'s own error when a window cannot be split further', async () => {
    const s = stream('INCREMENTAL');
    const { ctx } = context(s, hooks([{ start: day(0), end: day(1) }]), () => true);
    await expect(outputs(incrementalWindowsMode.read(await incrementalWindowsMode.plan(undefined, ctx), ctx))).rejects.toMatchObject({ code: 'TAP_BULK_JOB_TIMEOUT' });
  });

  it('checkpoints the bookmark again when there is nothing to read', async () => {
    const s = stream('INCREMENTAL');
    const { ctx, reads } = context(s, hooks([]));
    const bookmark = { replicationKey: 'SystemModstamp', value: day(20) };
    expect(await outputs(incrementalWindowsMode.read(await incrementalWindowsMode.plan(bookmark, ctx), ctx))).toEqual([bookmark]);
    expect(reads).toEqual([]);
  });

  it('reads a full table whole, then marks it complete', async () => {
    const s = stream('FULL_TABLE');
    const { ctx, estimates } = context(s, hooks([]));
    const out = await outputs(fullTableMode.read(await fullTableMode.plan(undefined, ctx), ctx));
    expect(estimates).toEqual([undefined]);
    expect(out).toEqual(['records:all', { complete: true }]);
    expect(fullTableMode.checkpoint({ complete: true }, s)).toEqual({ complete: true });
  });
});
