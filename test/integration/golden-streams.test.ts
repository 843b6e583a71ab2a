/**
 * The exact message streams of both protocols for a small seeded org, checked against files in
 * golden/: an incremental stream read in yearly windows, a full-table stream and a REST-only
 * stream, a few fields each. Timestamps of the run itself are normalized (test/helpers/golden.ts).
 * Runs in this process (no build needed). After an intended change of the output:
 * `npx vitest run test/integration/golden-streams.test.ts -u`, then review the diff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { normalizeMessageStream } from '../helpers/golden.js';
import { runTapInProcess } from '../helpers/run-tap.js';

const ORG_NOW = Date.parse('2026-01-01T00:00:00Z');
/** Stream → selected fields (keys and replication keys are added by the tap). */
const SELECTION: Record<string, string[]> = {
  Account: ['Name', 'NumberOfEmployees', 'AnnualRevenue', 'BillingAddress', 'CreatedDate'],
  Contact: ['LastName', 'Birthdate', 'Email'],
  LoginHistory: ['LoginTime', 'Status'],
};
const FULL_TABLE = new Set(['Contact']);

let emulator: Emulator;
let config: Record<string, unknown>;
let singerCatalog: { streams: { stream: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
let airbyteCatalog: { streams: { name: string }[] };

/** The org as seeded; both protocols start from it. */
async function freshOrg(): Promise<void> {
  await emulator?.close();
  emulator = await startEmulator({ records: 3, seed: 7, now: () => ORG_NOW });
  // One stream at a time keeps the order of lines fixed; end_date keeps the last window off the wall clock.
  config = { ...emulator.tapConfig('password'), start_date: '2021-01-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z', stream_concurrency: 1, lookback_window: '0' };
}

/** Changes between the runs: the org's clock is fixed, so the rows touched get SystemModstamps just after ORG_NOW. */
function changeOrg(): void {
  const first = [...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).rows()][0]!.id;
  emulator.mutate.update('Account', first, { Name: 'Renamed between runs' });
  emulator.mutate.create('Account', { Name: 'Created between runs', NumberOfEmployees: 12 });
}

/** The second run reads up to a month after the org's clock: the changes, and no window that depends on today's date. */
const RESUME_END = '2026-02-01T00:00:00Z';

beforeAll(async () => {
  await freshOrg();
  const singer = await runTapInProcess(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': config } });
  expect(singer.exitCode, singer.stderr).toBe(0);
  singerCatalog = JSON.parse(singer.stdout) as typeof singerCatalog;
  singerCatalog.streams = singerCatalog.streams.filter((s) => s.stream in SELECTION);
  for (const stream of singerCatalog.streams) {
    const root = stream.metadata[0]!.metadata;
    root.selected = true;
    if (FULL_TABLE.has(stream.stream)) root['replication-method'] = 'FULL_TABLE';
    for (const entry of stream.metadata.slice(1)) entry.metadata.selected = SELECTION[stream.stream]!.includes(entry.breadcrumb[1]!);
  }
  const airbyte = await runTapInProcess(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
  expect(airbyte.exitCode, airbyte.stderr).toBe(0);
  airbyteCatalog = airbyte.ofType('CATALOG')[0]!.catalog as typeof airbyteCatalog;
});

afterAll(async () => {
  await emulator?.close();
});

function configuredAirbyteCatalog(): unknown {
  return {
    streams: Object.keys(SELECTION).map((name) => {
      const stream = airbyteCatalog.streams.find((s) => s.name === name) as { name: string; json_schema: { properties: Record<string, unknown> } };
      const keep = new Set(['Id', 'SystemModstamp', 'LoginTime', ...SELECTION[name]!]);
      const properties = Object.fromEntries(Object.entries(stream.json_schema.properties).filter(([field]) => keep.has(field)));
      return { stream: { ...stream, json_schema: { ...stream.json_schema, properties } }, sync_mode: FULL_TABLE.has(name) ? 'full_refresh' : 'incremental', destination_sync_mode: 'append' };
    }),
  };
}

describe('golden message streams', () => {
  it('Singer: SCHEMA, RECORD and STATE lines of a first and a resumed run', async () => {
    await freshOrg();
    const started = Date.now();
    const first = await runTapInProcess(['--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': singerCatalog } });
    expect(first.exitCode, first.stderr).toBe(0);
    await expect(normalizeMessageStream(first.stdout, started)).toMatchFileSnapshot('golden/singer-read.jsonl');
    const state = first.ofType('STATE').at(-1)!.value;
    changeOrg();
    const resumed = await runTapInProcess(['--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'], {
      files: { 'config.json': { ...config, end_date: RESUME_END }, 'catalog.json': singerCatalog, 'state.json': state },
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    await expect(normalizeMessageStream(resumed.stdout, started)).toMatchFileSnapshot('golden/singer-resume.jsonl');
  });

  it('Airbyte: RECORD, STATE and TRACE lines of a first and a resumed run', async () => {
    await freshOrg();
    const started = Date.now();
    const catalog = configuredAirbyteCatalog();
    const first = await runTapInProcess(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': catalog } });
    expect(first.exitCode, first.stderr).toBe(0);
    await expect(normalizeMessageStream(first.stdout, started)).toMatchFileSnapshot('golden/airbyte-read.jsonl');
    const state = first.ofType('STATE').map((m) => m.state);
    changeOrg();
    const resumed = await runTapInProcess(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'], {
      files: { 'config.json': { ...config, end_date: RESUME_END }, 'catalog.json': catalog, 'state.json': state },
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    await expect(normalizeMessageStream(resumed.stdout, started)).toMatchFileSnapshot('golden/airbyte-resume.jsonl');
  });
});
