import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { REPO_ROOT, runTap } from '../helpers/run-tap.js';

/** The streams the samples select: Bulk, REST-only, compound, formula, LoginTime cursor. */
const SAMPLE_STREAMS = ['Account', 'Contact', 'Opportunity', 'Invoice__c', 'AcceptedEventRelation', 'LoginHistory'];
const dir = join(REPO_ROOT, 'catalog-samples');

let emulator: Emulator;
let files: Record<string, unknown>;

beforeAll(async () => {
  emulator = await startEmulator();
  files = { 'config.json': emulator.tapConfig('password') };
});
afterAll(async () => emulator.close());

async function samples(): Promise<{ singer: unknown; airbyte: unknown }> {
  const singerRun = await runTap(['--config', '{file:config.json}', '--discover'], { files });
  const singer = JSON.parse(singerRun.stdout) as { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
  for (const s of singer.streams) s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = SAMPLE_STREAMS.includes(s.tap_stream_id);
  const airbyteRun = await runTap(['discover', '--config', '{file:config.json}'], { files });
  const catalog = airbyteRun.ofType('CATALOG')[0]!.catalog as { streams: { name: string; supported_sync_modes: string[] }[] };
  const airbyte = {
    streams: catalog.streams
      .filter((s) => SAMPLE_STREAMS.includes(s.name))
      .map((stream) => ({ stream, sync_mode: stream.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh', destination_sync_mode: 'append_dedup', primary_key: [['Id']] })),
  };
  return { singer, airbyte };
}

describe('catalog-samples', () => {
  it('match a fresh discovery of the emulator (UPDATE_DOCS=1 regenerates them)', async () => {
    const fresh = await samples();
    const singerPath = join(dir, 'singer-catalog.json');
    const airbytePath = join(dir, 'airbyte-configured-catalog.json');
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(singerPath, `${JSON.stringify(fresh.singer, null, 2)}\n`);
      writeFileSync(airbytePath, `${JSON.stringify(fresh.airbyte, null, 2)}\n`);
    }
    expect(JSON.parse(readFileSync(singerPath, 'utf8'))).toEqual(fresh.singer);
    expect(JSON.parse(readFileSync(airbytePath, 'utf8'))).toEqual(fresh.airbyte);
  });

  it('read as they are in both protocols', async () => {
    const airbyte = await runTap(['read', '--config', '{file:config.json}', '--catalog', join(dir, 'airbyte-configured-catalog.json')], { files });
    expect(airbyte.exitCode, airbyte.stderr).toBe(0);
    expect([...airbyte.records().keys()].sort()).toEqual([...SAMPLE_STREAMS].sort());
    const singer = await runTap(['--config', '{file:config.json}', '--catalog', join(dir, 'singer-catalog.json')], { files });
    expect(singer.exitCode, singer.stderr).toBe(0);
    expect([...singer.records().keys()].sort()).toEqual([...SAMPLE_STREAMS].sort());
  });
});
