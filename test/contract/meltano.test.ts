/**
 * Meltano: meltano.yml's plugin definition matches the config schema, and the tap works when
 * invoked exactly as Meltano invokes it (protocols.md §5): discover to tap.properties.json, select
 * rules applied to the discovered catalog, `--config … --catalog … --state …` with the stored
 * `singer_state` value, state carried from one run to the next.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { buildMeltanoProject, buildMeltanoSettings } from '../helpers/meltano-settings.js';
import { REPO_ROOT, runTap, type TapRun } from '../helpers/run-tap.js';

const meltanoPath = join(REPO_ROOT, 'meltano.yml');

describe('meltano.yml', () => {
  it('declares every config setting with its kind, secrets sensitive, generated from schemas/', () => {
    const expected = `# Meltano project with the tap-salesforce plugin definition; settings are generated from\n# schemas/config.schema.json (UPDATE_DOCS=1 npx vitest run test/contract/meltano.test.ts).\n${stringify(buildMeltanoProject(REPO_ROOT), { lineWidth: 0 })}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(meltanoPath, expected);
    expect(readFileSync(meltanoPath, 'utf8')).toBe(expected);
    const plugin = (parse(readFileSync(meltanoPath, 'utf8')) as { plugins: { extractors: { capabilities: string[]; settings: { name: string; kind: string; sensitive?: boolean }[] }[] } }).plugins.extractors[0]!;
    expect(plugin.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state', 'about']));
    const settings = buildMeltanoSettings(REPO_ROOT);
    for (const secret of ['client_secret', 'refresh_token', 'password', 'security_token', 'private_key', 'access_token']) {
      expect(settings.find((s) => s.name === secret)).toMatchObject({ kind: 'password', sensitive: true });
    }
    expect(settings.find((s) => s.name === 'start_date')!.kind).toBe('date_iso8601');
  });
});

/** Meltano's select rules: deselect everything, then select per `stream.property` pattern. */
function applySelect(catalog: { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] }, rules: string[]) {
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const parsed = rules.map((rule) => {
    const exclude = rule.startsWith('!');
    const [stream, property] = (exclude ? rule.slice(1) : rule).split('.') as [string, string];
    return { exclude, stream: glob(stream), property: glob(property) };
  });
  for (const stream of catalog.streams) {
    for (const entry of stream.metadata) {
      if (entry.breadcrumb.length === 0) {
        entry.metadata.selected = parsed.some((r) => !r.exclude && r.stream.test(stream.tap_stream_id));
      } else {
        const property = entry.breadcrumb[1]!;
        const included = parsed.some((r) => !r.exclude && r.stream.test(stream.tap_stream_id) && r.property.test(property));
        const excluded = parsed.some((r) => r.exclude && r.stream.test(stream.tap_stream_id) && r.property.test(property));
        entry.metadata.selected = included && !excluded;
      }
    }
  }
  return catalog;
}

describe('invoked as Meltano invokes it', () => {
  let emulator: Emulator;
  let dir: string;
  let config: Record<string, unknown>;
  let first: TapRun;
  const SELECT = ['Account.*', 'Contact.Id', 'Contact.LastName', 'Contact.SystemModstamp', '!Account.Description'];

  beforeAll(async () => {
    emulator = await startEmulator({ records: 200, seed: 13 });
    config = { ...emulator.tapConfig('password'), lookback_window: 'PT0S' };
    // 1. discovery to tap.properties.json
    const discover = await runTap(['--config', '{file:tap.config.json}', '--discover'], { files: { 'tap.config.json': config } });
    expect(discover.exitCode, discover.stderr).toBe(0);
    dir = discover.dir;
    // 2. select rules applied, catalog rewritten
    writeFileSync(join(dir, 'tap.properties.json'), JSON.stringify(applySelect(JSON.parse(discover.stdout), SELECT)));
    // 3. exec with config and catalog (no state on the first run: the file would be empty)
    first = await runTap(['--config', join(dir, 'tap.config.json'), '--catalog', join(dir, 'tap.properties.json')], { dir, files: { 'tap.config.json': config } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('syncs the selected streams and properties only, SCHEMA before RECORD', () => {
    expect(first.exitCode, first.stderr).toBe(0);
    const records = first.records();
    expect([...records.keys()].sort()).toEqual(['Account', 'Contact']);
    expect(Object.keys(records.get('Contact')![0]!).sort()).toEqual(['Id', 'LastName', 'SystemModstamp']);
    expect(Object.keys(records.get('Account')![0]!)).not.toContain('Description');
    expect(Object.keys(records.get('Account')![0]!).length).toBeGreaterThan(40);
    const types = first.messages().map((m) => `${m.type}:${String(m.stream ?? '')}`);
    for (const stream of ['Account', 'Contact']) expect(types.indexOf(`SCHEMA:${stream}`)).toBeLessThan(types.indexOf(`RECORD:${stream}`));
  });

  it('resumes from the stored singer_state: only rows changed since the bookmark come again', async () => {
    const value = first.ofType('STATE').at(-1)!.value;
    // What Meltano stores is {"singer_state": value}; what it passes to the tap is the value.
    const stored = { singer_state: value };
    const changed = emulator.org.prepareQuery('SELECT Id FROM Contact', { includeDeleted: false }).rows()[Symbol.iterator]().next().value!.id;
    emulator.mutate.update('Contact', changed, { LastName: 'Meltano-Changed' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    writeFileSync(join(dir, 'state.json'), JSON.stringify(stored.singer_state));
    const second = await runTap(['--config', join(dir, 'tap.config.json'), '--catalog', join(dir, 'tap.properties.json'), '--state', join(dir, 'state.json')], { dir, files: { 'tap.config.json': config } });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.records().get('Contact')!.map((r) => [r.Id, r.LastName])).toEqual([[changed, 'Meltano-Changed']]);
    expect(second.records().get('Account') ?? []).toEqual([]);
    // The wrapped form, as `meltano state get` prints it, is accepted too.
    writeFileSync(join(dir, 'state.json'), JSON.stringify(stored));
    const wrapped = await runTap(['--config', join(dir, 'tap.config.json'), '--catalog', join(dir, 'tap.properties.json'), '--state', join(dir, 'state.json')], { dir, files: { 'tap.config.json': config } });
    expect(wrapped.exitCode, wrapped.stderr).toBe(0);
    expect(wrapped.records().get('Contact')!.map((r) => r.Id)).toEqual([changed]);
  });

  it('passes `meltano config test`: a RECORD line appears on stdout', () => {
    expect(first.stdout.split('\n').some((line) => line.startsWith('{"type":"RECORD"'))).toBe(true);
  });

  it('takes its settings from TAP_SALESFORCE_* environment variables with --config ENV', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) env[`TAP_SALESFORCE_${key.toUpperCase()}`] = String(value);
    const run = await runTap(['--config', 'ENV', '--test'], { env });
    expect(run.exitCode, run.stderr).toBe(0);
  });
});
