/**
 * `npm run demo`: the tap end to end, without a Salesforce account. Starts the emulator, then
 * runs the real CLI as a user would: check, discover, a full sync, some changes in the org, and
 * an incremental sync that picks up exactly those changes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/index.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const STREAMS = ['Account', 'Contact', 'Opportunity', 'Invoice__c', 'AcceptedEventRelation'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function tap(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), seconds: (Date.now() - started) / 1000 }));
  });
}

function must(step: string, run: Run): Run {
  if (run.code !== 0) {
    process.stderr.write(`\n${step} failed (exit ${run.code}):\n${run.stderr.split('\n').slice(-15).join('\n')}\n`);
    process.exit(1);
  }
  return run;
}

interface Message {
  type: string;
  stream?: string;
  record?: Record<string, unknown>;
  value?: { bookmarks?: Record<string, Record<string, unknown>> };
}

function messages(stdout: string): Message[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);
}

function summarize(title: string, run: Run): { value: unknown } {
  const all = messages(run.stdout);
  const counts = new Map<string, { records: number; deleted: number }>();
  for (const m of all) {
    if (m.type !== 'RECORD' || !m.stream) continue;
    const c = counts.get(m.stream) ?? { records: 0, deleted: 0 };
    c.records += 1;
    if (m.record?.IsDeleted === true) c.deleted += 1;
    counts.set(m.stream, c);
  }
  const states = all.filter((m) => m.type === 'STATE');
  const last = states.at(-1)?.value ?? {};
  const total = [...counts.values()].reduce((a, c) => a + c.records, 0);
  console.log(`\n${title}: ${total} records in ${run.seconds.toFixed(1)} s, ${states.length} STATE messages`);
  for (const name of STREAMS) {
    const c = counts.get(name) ?? { records: 0, deleted: 0 };
    const bookmark = last.bookmarks?.[name];
    const mark = bookmark ? Object.values(bookmark).find((v) => typeof v === 'string' && /^\d{4}-/.test(v)) ?? JSON.stringify(bookmark) : '—';
    console.log(`  ${name.padEnd(24)}${String(c.records).padStart(7)} records${c.deleted ? ` (${c.deleted} deleted)` : ''}   bookmark ${String(mark)}`);
  }
  return { value: last };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-salesforce-demo-'));
  console.log('Starting the Salesforce emulator (a seeded fake org on 127.0.0.1)…');
  const emulator = await startEmulator({ records: 2000, seed: 7 });
  try {
    console.log(`  login ${emulator.loginUrl}, instance ${emulator.instanceUrl}`);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(emulator.tapConfig('password'), null, 2), { mode: 0o600 });

    const check = must('check', await tap(['check', '--config', config]));
    console.log(`\n$ tap-salesforce check --config config.json\n  ${JSON.parse(check.stdout.trim().split('\n').at(-1)!).connectionStatus.message}`);

    const discover = must('discover', await tap(['--config', config, '--discover']));
    const catalog = JSON.parse(discover.stdout) as { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
    console.log(`\n$ tap-salesforce --config config.json --discover\n  ${catalog.streams.length} streams discovered in ${discover.seconds.toFixed(1)} s; selecting ${STREAMS.join(', ')}`);
    for (const stream of catalog.streams) {
      const root = stream.metadata.find((m) => m.breadcrumb.length === 0);
      if (root) root.metadata.selected = STREAMS.includes(stream.tap_stream_id);
    }
    const catalogPath = join(dir, 'catalog.json');
    writeFileSync(catalogPath, JSON.stringify(catalog));

    const full = must('full sync', await tap(['--config', config, '--catalog', catalogPath]));
    const { value: state } = summarize('$ tap-salesforce --config config.json --catalog catalog.json   (first run: all history)', full);
    const statePath = join(dir, 'state.json');
    writeFileSync(statePath, JSON.stringify(state));

    // Changes a user might make in Salesforce between two nightly runs.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const accounts = emulator.org.prepareQuery('SELECT Id FROM Account LIMIT 3', { includeDeleted: false });
    const [first, second, third] = [...accounts.rows()].map((r) => r.id);
    emulator.mutate.update('Account', first!, { Name: 'Renamed, "Demo" Account' });
    emulator.mutate.update('Account', second!, { Rating: 'Hot' });
    emulator.mutate.delete('Account', third!);
    emulator.mutate.create('Account', { Name: 'Brand-new Account' });
    emulator.mutate.create('Contact', { LastName: 'Nouveau', FirstName: 'Zoë' });
    console.log('\nIn the org: 2 Accounts updated, 1 Account deleted, 1 Account and 1 Contact created.');
    // A sync reads up to the second it starts; changes made later belong to the next run.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const incremental = must('incremental sync', await tap(['--config', config, '--catalog', catalogPath, '--state', statePath]));
    summarize('$ tap-salesforce --config config.json --catalog catalog.json --state state.json   (incremental)', incremental);
    console.log(`\n(The incremental run re-reads ${JSON.parse(readFileSync(config, 'utf8')).lookback_window ?? 600} s before each bookmark, so rows changed just before the first run may appear again; targets dedupe on Id.)`);
    console.log(`Files: ${dir}`);
  } finally {
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
