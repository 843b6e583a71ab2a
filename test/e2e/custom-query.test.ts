import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap } from '../helpers/run-tap.js';

let emulator: Emulator;
let config: Record<string, unknown>;

const QUERY = "SELECT Name, Amount, StageName, Account.Name, Account.Owner.Email, Owner.Name FROM Opportunity WHERE StageName != 'Closed Lost'";
const STREAM_WHERE = 'Amount > 20000';

beforeAll(async () => {
  emulator = await startEmulator({ records: 400, seed: 5 });
  config = {
    ...emulator.tapConfig('password'),
    // Calendar windows: the Bulk case must read through Bulk jobs, not REST-sized windows.
    planner: 'sequential',
    lookback_window: '0',
    custom_queries: [{ name: 'open_deals', query: QUERY }],
    stream_where: { open_deals: STREAM_WHERE },
  };
});

afterAll(async () => {
  await emulator.close();
});

/** The rows the org itself gives for the stream's query: the truth the tap must reproduce. */
function expectedRows(): Map<string, Record<string, unknown>> {
  const prepared = emulator.org.prepareQuery(
    `SELECT Id, Name, Amount, StageName, Account.Name, Account.Owner.Email, Owner.Name, SystemModstamp FROM Opportunity WHERE (StageName != 'Closed Lost') AND (${STREAM_WHERE})`,
    { includeDeleted: false },
  );
  const rows = new Map<string, Record<string, unknown>>();
  for (const row of prepared.rows()) rows.set(row.id, Object.fromEntries(prepared.columns.map((c, i) => [c.path, row.values[i] ?? null])));
  return rows;
}

describe('custom query streams', () => {
  it('discover lists the stream with parent fields typed from their objects', async () => {
    const run = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect(run.exitCode, run.stderr).toBe(0);
    assertValidAirbyteLines(run.stdout);
    const stream = (run.ofType('CATALOG')[0]!.catalog as { streams: { name: string; json_schema: { properties: Record<string, unknown> }; source_defined_primary_key: string[][]; default_cursor_field: string[] }[] }).streams.find((s) => s.name === 'open_deals')!;
    expect(Object.keys(stream.json_schema.properties)).toEqual(['Name', 'Amount', 'StageName', 'Account.Name', 'Account.Owner.Email', 'Owner.Name', 'Id', 'SystemModstamp']);
    expect(stream.json_schema.properties['Amount']).toEqual({ type: ['null', 'number'] });
    expect(stream.source_defined_primary_key).toEqual([['Id']]);
    expect(stream.default_cursor_field).toEqual(['SystemModstamp']);
  });

  it.each(['bulk', 'rest'])('reads exactly the rows the query and stream_where select, parent values included (%s)', async (api) => {
    const expected = expectedRows();
    expect(expected.size).toBeGreaterThan(10);
    emulator.journal.clear();
    const run = await runTap(['--config', '{file:config.json}'], { files: { 'config.json': { ...config, api_type: api, streams_include: ['Campaign__none'] } } });
    expect(run.exitCode, run.stderr).toBe(0);
    const records = run.records().get('open_deals')!;
    expect(records.map((r) => r.Id).sort()).toEqual([...expected.keys()].sort());
    for (const record of records) {
      const row = expected.get(record.Id as string)!;
      expect(record).toEqual(row);
    }
    expect(emulator.journal.count({ route: api === 'rest' ? /^rest\.query/ : 'bulk.create' })).toBeGreaterThan(0);
    if (api === 'rest') expect(emulator.journal.count({ route: 'bulk.create' })).toBe(0);
    const schema = run.ofType('SCHEMA').find((m) => m.stream === 'open_deals');
    expect(schema).toBeDefined();
  });

  it('goes on incrementally from the bookmark, re-applying the query condition', async () => {
    const first = await runTap(['--config', '{file:config.json}'], { files: { 'config.json': { ...config, streams_include: ['Campaign__none'] } } });
    expect(first.exitCode, first.stderr).toBe(0);
    const state = first.ofType('STATE').at(-1)!.value;
    const open = [...expectedRows().keys()][0]!;
    const closed = emulator.org.prepareQuery("SELECT Id FROM Opportunity WHERE StageName = 'Closed Lost'", { includeDeleted: false }).rows()[Symbol.iterator]().next().value!.id;
    emulator.mutate.update('Opportunity', open, { Name: 'Renamed, "quoted"' });
    emulator.mutate.update('Opportunity', closed, { Name: 'Still lost' });
    // A run reads up to the last whole second before it starts: let the changes' second pass.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await runTap(['--config', '{file:config.json}', '--state', '{file:state.json}'], { files: { 'config.json': { ...config, streams_include: ['Campaign__none'] }, 'state.json': state } });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.records().get('open_deals')!.map((r) => [r.Id, r.Name])).toEqual([[open, 'Renamed, "quoted"']]);
  });

  it('stops discovery with one line naming the query and the missing field, exit 3', async () => {
    const bad = { ...config, custom_queries: [{ name: 'open_deals', query: 'SELECT Name, Account.Nmae FROM Opportunity' }] };
    const run = await runTap(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': bad } });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').filter((l) => /error/i.test(l))).toHaveLength(1);
    expect(run.stderr).toMatch(/custom_queries\[0\] \(open_deals\): Account has no field `Nmae`/);
  });
});
