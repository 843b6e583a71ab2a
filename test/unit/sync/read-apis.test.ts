import { describe, expect, it } from 'vitest';
import type { FieldDefinition, SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { bulk2Api } from '../../../src/sync/bulk2-reader.js';
import { ReadApiRegistry, type ReadApi, type WindowReader } from '../../../src/sync/read-apis.js';
import { buildReadPlan } from '../../../src/sync/read-plan.js';
import { restApi } from '../../../src/sync/rest-reader.js';

const field = (name: string, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({ name, sfType: 'string', valueKind: 'string', schema: {}, nullable: true, calculated: false, bulkSelectable: true, ...extra });

function stream(extra: Partial<StreamDefinition> = {}, fields: FieldDefinition[] = []): SelectedStream {
  const all = [field('Id'), field('SystemModstamp', { valueKind: 'datetime' }), ...fields];
  const definition: StreamDefinition = { name: 'Doc', sobject: 'Doc', custom: false, keyProperties: ['Id'], bulkSupported: true, hasIsDeleted: true, schema: {}, fields: all, validReplicationKeys: [], ...extra };
  return { definition, fields: all.map((f) => f.name), method: 'FULL_TABLE' };
}

const never: WindowReader = async function* () {};
const registry = (...extra: ReadApi[]) => new ReadApiRegistry([bulk2Api(never), restApi(never), ...extra]);
const choose = (r: ReadApiRegistry, s: SelectedStream, forced?: string) => r.choose(s, buildReadPlan(s), forced, (fields) => buildReadPlan({ ...s, fields }));

describe('ReadApiRegistry', () => {
  it('serves a stream through the preferred API when it can return every selected field', () => {
    const choice = choose(registry(), stream());
    expect(choice.api.id).toBe('bulk');
    expect(choice.notes).toEqual([]);
  });

  it('moves an object Bulk does not support to REST without a note', () => {
    const choice = choose(registry(), stream({ bulkSupported: false }));
    expect(choice.api.id).toBe('rest');
    expect(choice.notes).toEqual([]);
  });

  it('moves a stream to REST, with a note, when Bulk cannot return a selected field', () => {
    const choice = choose(registry(), stream({}, [field('Body', { sfType: 'base64', bulkSelectable: false })]));
    expect(choice.api.id).toBe('rest');
    expect(choice.plan.columns.map((c) => c.name)).toContain('Body');
    expect(choice.notes).toEqual([{ level: 'info', message: 'Doc: reading through REST because Bulk API 2.0 cannot return Body' }]);
  });

  it('keeps a forced API and leaves out the fields it cannot return, with a warning', () => {
    const choice = choose(registry(), stream({}, [field('Body', { sfType: 'base64', bulkSelectable: false })]), 'bulk');
    expect(choice.api.id).toBe('bulk');
    expect(choice.plan.columns.map((c) => c.name)).toEqual(['Id', 'SystemModstamp']);
    expect(choice.notes[0]!.level).toBe('warn');
  });

  it('follows a chain of fallbacks and stops at the last API', () => {
    const bulk1: ReadApi = { id: 'bulk1', label: 'Bulk API 1.0', fallback: 'bulk', refuses: () => 'no', read: never };
    const r = new ReadApiRegistry([bulk1, bulk2Api(never), restApi(never)]);
    expect(choose(r, stream({ bulkSupported: false })).api.id).toBe('rest');
    expect(r.fallbackOf('bulk1')?.id).toBe('bulk');
    expect(r.fallbackOf('rest')).toBeUndefined();
  });

  it('does not loop on fallbacks that point back', () => {
    const a: ReadApi = { id: 'a', label: 'A', fallback: 'b', refuses: () => 'no', read: never };
    const b: ReadApi = { id: 'b', label: 'B', fallback: 'a', refuses: () => 'no', read: never };
    expect(choose(new ReadApiRegistry([a, b]), stream()).api.id).toBe('b');
  });

  it('names the registered APIs when asked for an unknown one', () => {
    expect(() => registry().get('bulk3')).toThrow('Expected a registered read API, got `bulk3` (registered: bulk, rest)');
  });
});
