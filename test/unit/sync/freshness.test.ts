import { describe, expect, it } from 'vitest';
import type { FieldDefinition, SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { applyFormulaMode, planFreshness, type FreshnessSettings } from '../../../src/sync/freshness.js';

const field = (name: string, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({ name, sfType: 'string', valueKind: 'string', schema: {}, nullable: true, calculated: false, bulkSelectable: true, ...extra });
const definition: StreamDefinition = {
  name: 'Invoice__c', sobject: 'Invoice__c', custom: true, keyProperties: ['Id'], replicationKey: 'SystemModstamp', validReplicationKeys: ['SystemModstamp'],
  bulkSupported: true, hasIsDeleted: true, capturesDeletes: true,
  fields: [field('Id'), field('Amount__c'), field('Total__c', { calculated: true, formula: 'Amount__c * 2' }), field('SystemModstamp')],
  schema: { type: 'object', properties: {} },
};
const stream: SelectedStream = { definition, fields: ['Id', 'Amount__c', 'Total__c', 'SystemModstamp'], method: 'INCREMENTAL', replicationKey: 'SystemModstamp' };
const syncStart = new Date('2026-06-30T12:00:00.000Z');
const signal = new AbortController().signal;

function settings(overrides: Partial<FreshnessSettings> = {}): FreshnessSettings & { calls: number } {
  const s = {
    calls: 0,
    captureHardDeletes: true, deletedGap: 'warn', formulaFields: 'include', formulaRefreshSeconds: 86_400, maxDays: 30, marginSeconds: 120, lookbackSeconds: 600,
    fetchDeleted: async () => {
      s.calls += 1;
      return { deletedRecords: [{ id: 'a01000000000001AAA', deletedDate: '2026-06-30T11:00:00.000+0000' }], earliestDateAvailable: '2026-05-31T12:00:00.000+0000', latestDateCovered: '2026-06-30T11:59:00.000+0000' };
    },
    ...overrides,
  } as FreshnessSettings & { calls: number };
  return s;
}

describe('formula_fields', () => {
  it('exclude drops formula fields from the selection, include and refresh keep them', () => {
    expect(applyFormulaMode([stream], 'exclude')[0]!.fields).toEqual(['Id', 'Amount__c', 'SystemModstamp']);
    expect(applyFormulaMode([stream], 'include')[0]!.fields).toContain('Total__c');
    expect(applyFormulaMode([stream], 'refresh')[0]!.fields).toContain('Total__c');
  });

  it('refresh re-reads in full once the interval passed and records when at completion', async () => {
    const s = settings({ formulaFields: 'refresh' });
    const due = await planFreshness(stream, { bookmark: '2026-06-30T00:00:00Z', formulasRefreshedAt: '2026-06-29T10:00:00.000Z' }, syncStart, s, signal);
    expect(due.fullRead).toBe('formula_refresh');
    expect(due.carry.formulasRefreshedAt).toBe('2026-06-29T10:00:00.000Z');
    expect(due.onComplete.formulasRefreshedAt).toBe(syncStart.toISOString());
    const fresh = await planFreshness(stream, { bookmark: '2026-06-30T00:00:00Z', formulasRefreshedAt: '2026-06-30T06:00:00.000Z' }, syncStart, s, signal);
    expect(fresh.fullRead).toBeUndefined();
    expect(fresh.onComplete.formulasRefreshedAt).toBe('2026-06-30T06:00:00.000Z');
  });

  it('a first run is the refresh: nothing more to re-read, its time recorded', async () => {
    const first = await planFreshness(stream, {}, syncStart, settings({ formulaFields: 'refresh' }), signal);
    expect(first.fullRead).toBeUndefined();
    expect(first.onComplete.formulasRefreshedAt).toBe(syncStart.toISOString());
  });
});

describe('hard deletes before the read', () => {
  it('emits the tombstones and carries the coverage in every checkpoint', async () => {
    const s = settings();
    const plan = await planFreshness(stream, { bookmark: '2026-06-30T00:00:00Z', deletesCoveredUntil: '2026-06-29T12:00:00.000Z' }, syncStart, s, signal);
    expect(s.calls).toBe(1);
    expect(plan.tombstones).toHaveLength(1);
    expect(plan.carry.deletesCoveredUntil).toBe('2026-06-30T11:59:00.000Z');
    expect(plan.warnings).toEqual([]);
  });

  it('warns once on a gap, or re-reads in full with deleted_gap: full_refresh', async () => {
    const position = { bookmark: '2026-04-01T00:00:00Z', deletesCoveredUntil: '2026-04-01T00:00:00.000Z' };
    const warned = await planFreshness(stream, position, syncStart, settings(), signal);
    expect(warned.warnings).toHaveLength(1);
    expect(warned.warnings[0]).toMatch(/Invoice__c: rows deleted from 2026-04-01T00:00:00.000Z to 2026-05-31T12:02:00.000Z/);
    expect(warned.fullRead).toBeUndefined();
    const full = await planFreshness(stream, position, syncStart, settings({ deletedGap: 'full_refresh' }), signal);
    expect(full.fullRead).toBe('deleted_gap');
  });

  it('makes no getDeleted call when capture is off or the object cannot be deleted', async () => {
    const off = settings({ captureHardDeletes: false });
    await planFreshness(stream, { bookmark: '2026-06-29T00:00:00Z' }, syncStart, off, signal);
    const undeletable = settings();
    await planFreshness({ ...stream, definition: { ...definition, capturesDeletes: false } }, { bookmark: '2026-06-29T00:00:00Z' }, syncStart, undeletable, signal);
    expect(off.calls + undeletable.calls).toBe(0);
  });
});
