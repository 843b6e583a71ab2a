import { describe, expect, it } from 'vitest';
import { coverageOf, planDeletedRange } from '../../../src/state/deleted-range.js';
import { isFormulaRefreshDue } from '../../../src/state/formula-refresh.js';

const syncStart = new Date('2026-06-30T12:00:00.000Z');
const base = { syncStart, maxDays: 30, marginSeconds: 120 };

describe('planDeletedRange', () => {
  it('asks nothing on a first run: the full read is current as of the sync start', () => {
    expect(planDeletedRange(base)).toEqual({});
  });

  it('continues where the last coverage ended, up to the sync start', () => {
    expect(planDeletedRange({ ...base, coveredUntil: '2026-06-29T11:59:00.000Z', bookmark: '2026-06-01T00:00:00Z' })).toEqual({
      range: { start: '2026-06-29T11:59:00.000Z', end: '2026-06-30T12:00:00.000Z' },
    });
  });

  it('starts at the replication bookmark for a stream synced before deletes were captured', () => {
    expect(planDeletedRange({ ...base, bookmark: '2026-06-20T00:00:00Z' }).range).toEqual({ start: '2026-06-20T00:00:00.000Z', end: '2026-06-30T12:00:00.000Z' });
  });

  it('asks nothing when less than a minute passed (getDeleted covers whole minutes)', () => {
    expect(planDeletedRange({ ...base, coveredUntil: '2026-06-30T11:59:30.000Z' })).toEqual({});
  });

  it('splits a range older than 30 days into a gap and what can still be asked', () => {
    const plan = planDeletedRange({ ...base, coveredUntil: '2026-05-01T00:00:00.000Z' });
    expect(plan.gap).toEqual({ start: '2026-05-01T00:00:00.000Z', end: '2026-05-31T12:02:00.000Z' });
    expect(plan.range).toEqual({ start: '2026-05-31T12:02:00.000Z', end: '2026-06-30T12:00:00.000Z' });
  });
});

describe('coverageOf', () => {
  const range = { start: '2026-06-29T00:00:00.000Z', end: '2026-06-30T12:00:00.000Z' };

  it('continues from latestDateCovered, never past the range asked for', () => {
    expect(coverageOf(range, { earliestDateAvailable: '2026-06-01T00:00:00.000+0000', latestDateCovered: '2026-06-30T11:59:00.000+0000' })).toEqual({ coveredUntil: '2026-06-30T11:59:00.000Z' });
    expect(coverageOf(range, { latestDateCovered: '2026-07-30T11:59:00.000+0000' }).coveredUntil).toBe(range.end);
    expect(coverageOf(range, {}).coveredUntil).toBe(range.end);
  });

  it('reports the part of the range before earliestDateAvailable as a gap', () => {
    expect(coverageOf(range, { earliestDateAvailable: '2026-06-29T06:00:00.000+0000', latestDateCovered: '2026-06-30T11:59:00.000+0000' }).gap).toEqual({ start: range.start, end: '2026-06-29T06:00:00.000Z' });
  });
});

describe('isFormulaRefreshDue', () => {
  it('is due on a stream never refreshed, or whose refresh is an interval old', () => {
    expect(isFormulaRefreshDue(undefined, 86_400, syncStart)).toBe(true);
    expect(isFormulaRefreshDue('2026-06-29T12:00:00.000Z', 86_400, syncStart)).toBe(true);
    expect(isFormulaRefreshDue('2026-06-30T06:00:00.000Z', 86_400, syncStart)).toBe(false);
  });

  it('counts a nightly run that starts a few minutes early as due, so values never get two days old', () => {
    expect(isFormulaRefreshDue('2026-06-29T12:05:00.000Z', 86_400, syncStart)).toBe(true);
    expect(isFormulaRefreshDue('2026-06-29T13:30:00.000Z', 86_400, syncStart)).toBe(false);
  });
});
