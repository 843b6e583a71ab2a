/**
 * Catalog and state inputs that used to succeed silently: each is now a clear error or a warning
 * naming the stream.
 */
import { describe, expect, it } from 'vitest';
import { resolveSelection } from '../../../src/catalog/select.js';
import type { StreamDefinition } from '../../../src/catalog/types.js';
import { warnFutureBookmarks } from '../../../src/commands/read.js';
import { parseAirbyteCatalog } from '../../../src/protocol/airbyte/catalog.js';
import { parseAirbyteState } from '../../../src/protocol/airbyte/state.js';
import { parseSingerState } from '../../../src/protocol/singer/state.js';

function definition(name: string, replicationKey?: string): StreamDefinition {
  const names = ['Id', 'Name', ...(replicationKey ? [replicationKey] : [])];
  return {
    name,
    sobject: name,
    custom: false,
    keyProperties: ['Id'],
    replicationKey,
    validReplicationKeys: replicationKey ? [replicationKey] : [],
    bulkSupported: true,
    hasIsDeleted: true,
    fields: names.map((n) => ({ name: n, sfType: 'string', valueKind: 'string', schema: { type: ['null', 'string'] }, nullable: true, calculated: false, bulkSelectable: true })),
    schema: { type: 'object', properties: {} },
  };
}

const ACCOUNT = definition('Account', 'SystemModstamp');
const SETTING = definition('AppSetting');

describe('catalogs', () => {
  it('refuses a stream listed twice (every row would be sent twice)', () => {
    const choices = [{ name: 'Account', method: 'INCREMENTAL' as const }, { name: 'Account', method: 'FULL_TABLE' as const }];
    expect(() => resolveSelection(choices, [ACCOUNT])).toThrow(expect.objectContaining({ code: 'TAP_CATALOG_DUPLICATE_STREAM', message: expect.stringContaining('Account') }));
  });

  it('warns when incremental is asked of a stream that can only be read in full', () => {
    const warnings: string[] = [];
    const [selected] = resolveSelection([{ name: 'AppSetting', method: 'INCREMENTAL' }], [SETTING], (m) => warnings.push(m));
    expect(selected!.method).toBe('FULL_TABLE');
    expect(warnings).toEqual([expect.stringMatching(/^AppSetting: incremental was asked/)]);
  });

  it('warns when cursor_field or primary_key name no field, and says what is used instead', () => {
    const catalog = { streams: [{ stream: { name: 'Account' }, sync_mode: 'incremental', cursor_field: ['LastViewedDate'], primary_key: [['ExternalId__c']] }] };
    const warnings: string[] = [];
    resolveSelection(parseAirbyteCatalog(catalog), [ACCOUNT], (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringMatching(/^Account: cursor_field LastViewedDate .*\(SystemModstamp\)/), expect.stringMatching(/^Account: primary_key ExternalId__c .*\(Id\)/)]);
  });

  it('says nothing for a catalog that asks what is done', () => {
    const warnings: string[] = [];
    const catalog = { streams: [{ stream: { name: 'Account' }, sync_mode: 'incremental', cursor_field: ['SystemModstamp'], primary_key: [['Id']] }] };
    resolveSelection(parseAirbyteCatalog(catalog), [ACCOUNT], (m) => warnings.push(m));
    expect(warnings).toEqual([]);
  });
});

describe('states', () => {
  it.each([[5], [true], [false], ['Account'], [0]])('refuses %j instead of starting from scratch', (raw) => {
    expect(() => parseAirbyteState(raw)).toThrow(expect.objectContaining({ code: 'TAP_STATE_INVALID' }));
    expect(() => parseSingerState(raw)).toThrow(expect.objectContaining({ code: 'TAP_STATE_INVALID' }));
  });

  it('keeps null, an empty file and {} meaning no state', () => {
    for (const raw of [null, undefined, {}]) {
      expect(parseAirbyteState(raw).size).toBe(0);
      expect(parseSingerState(raw).size).toBe(0);
    }
  });

  it('warns about a bookmark in the future, naming the stream', () => {
    const warnings: string[] = [];
    const bookmarks = new Map([
      ['Account', { replicationKey: 'SystemModstamp', value: '2099-01-01T00:00:00.000Z' }],
      ['Contact', { replicationKey: 'SystemModstamp', value: '2020-01-01T00:00:00.000Z' }],
    ]);
    warnFutureBookmarks(bookmarks, Date.parse('2026-01-01T00:00:00Z'), (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringMatching(/^Account: the state's bookmark 2099-01-01T00:00:00.000Z is in the future/)]);
  });
});
