/**
 * Change Data Capture rows of `npm run bench` (`--only cdc`), against an in-process emulator
 * (its DML and Pub/Sub API are driven directly) and the built CLI:
 * - latency from a DML to its RECORD on the tap's stdout in `--follow` (p50, p95), re-read included;
 * - events/s sustained: 10,000 changes read by a scheduled run from its stored replay id;
 * - API calls per run for those 10,000 changes, against a SystemModstamp incremental run of the
 *   same changes (REST/Bulk requests in the emulator's journal; Pub/Sub calls counted apart);
 * - peak RSS of a run reading a burst of 100,000 events (memory stays flat: pull flow control).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { CLI, runTapAsync, type Result } from './tap-process.js';


/** The Singer CLI until it exits, stdout kept (the emulator serving it lives in this process). */
const runTap = (argv: string[]) => runTapAsync(`change events ${argv.join(' ')}`, argv, undefined, { keepStdout: true });

const lastState = (lines: string[]) => JSON.parse(lines.filter((l) => l.includes('"type":"STATE"')).at(-1)!).value as unknown;
const recordCount = (lines: string[]) => lines.filter((l) => l.includes('"type":"RECORD"')).length;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

function dataCalls(em: Emulator): number {
  return em.journal.entries().filter((e) => e.route !== 'oauth.token' && e.route !== 'oauth.userinfo').length;
}

async function latency(em: Emulator, dir: string, config: string, state: string): Promise<Result> {
  const child = spawn(process.execPath, [CLI, '--config', config, '--state', state, '--follow'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const lines = createInterface({ input: child.stdout });
  const CHANGES = 300;
  const done = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (!line.includes('"type":"RECORD"')) return;
      const name = (JSON.parse(line) as { record: { Name?: string } }).record.Name ?? '';
      const t0 = sentAt.get(name);
      if (t0 === undefined) return;
      latencies.push(performance.now() - t0);
      sentAt.delete(name);
      if (latencies.length === CHANGES) resolve();
    });
  });
  // Wait until the tap streams (its first subscription), then change a row every 20 ms.
  const subscribes = em.pubsub.stats().subscribes;
  while (em.pubsub.stats().subscribes === subscribes) await new Promise((r) => setTimeout(r, 20));
  const ids = [...em.org.prepareQuery('SELECT Id FROM Account LIMIT 300', { includeDeleted: false }).rows()].map((r) => r.id);
  for (let i = 0; i < CHANGES; i += 1) {
    const name = `latency ${i}`;
    sentAt.set(name, performance.now());
    em.mutate.update('Account', ids[i % ids.length]!, { Name: name });
    await new Promise((r) => setTimeout(r, 20));
  }
  await done;
  child.kill('SIGTERM');
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  writeFileSync(join(dir, 'cdc-latency.json'), JSON.stringify(sorted));
  return { name: 'cdc --follow DML → RECORD latency', records: CHANGES, seconds: p95 / 1000, recordsPerSecond: 1000 / p50, note: `p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (one update every 20 ms, re-read by Id included)` };
}

/** `n` changes to existing and new Accounts. */
function churn(em: Emulator, n: number, tag: string): void {
  const ids = [...em.org.prepareQuery(`SELECT Id FROM Account LIMIT ${n}`, { includeDeleted: false }).rows()].map((r) => r.id);
  for (let i = 0; i < n; i += 1) {
    if (i % 10 === 9) em.mutate.create('Account', { Name: `${tag} ${i}` });
    else em.mutate.update('Account', ids[i % ids.length]!, { Name: `${tag} ${i}` });
  }
}

export async function changeEventRows(dir: string): Promise<Result[]> {
  const results: Result[] = [];
  const em = await startEmulator({ records: 20_000, seed: 3, cdcObjects: ['Account'], settings: { bulkJobDelayMs: 50 } });
  try {
    const base = { ...em.tapConfig('password'), streams_include: ['Account'], cdc_idle_seconds: 2 };
    const cdcConfig = join(dir, 'cdc-config.json');
    const modstampConfig = join(dir, 'modstamp-config.json');
    writeFileSync(cdcConfig, JSON.stringify({ ...base, pubsub_url: em.pubsub.url, change_data_capture: ['Account'] }));
    writeFileSync(modstampConfig, JSON.stringify({ ...base, lookback_window: '0' }));
    const stateFile = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    };
    // Snapshots first: each mode's state before the changes.
    const cdcState = stateFile('cdc-state.json', lastState((await runTap(['--config', cdcConfig])).lines));
    await new Promise((r) => setTimeout(r, 1100));
    const modstampState = stateFile('modstamp-state.json', lastState((await runTap(['--config', modstampConfig])).lines));
    await new Promise((r) => setTimeout(r, 1100));

    churn(em, 10_000, 'bench');
    em.journal.clear();
    const rpcs = em.pubsub.stats();
    const cdc = await runTap(['--config', cdcConfig, '--state', cdcState]);
    const cdcCalls = dataCalls(em);
    const subscribes = em.pubsub.stats().subscribes - rpcs.subscribes;
    em.journal.clear();
    const modstamp = await runTap(['--config', modstampConfig, '--state', modstampState]);
    const modstampCalls = dataCalls(em);
    results.push({ name: 'cdc run: 10,000 changes from a replay id', records: recordCount(cdc.lines), seconds: cdc.seconds, recordsPerSecond: 10_000 / cdc.seconds, peakRssMb: cdc.peakRssMb, note: `events/s incl. start-up; ${cdcCalls} REST/Bulk calls + ${subscribes} Pub/Sub subscribe(s)` });
    results.push({ name: 'SystemModstamp run: same 10,000 changes', records: recordCount(modstamp.lines), seconds: modstamp.seconds, recordsPerSecond: 10_000 / modstamp.seconds, peakRssMb: modstamp.peakRssMb, note: `${modstampCalls} REST/Bulk calls` });

    const followState = stateFile('cdc-state-2.json', lastState(cdc.lines));
    results.push(await latency(em, dir, cdcConfig, followState));

    const burstState = stateFile('cdc-state-3.json', lastState((await runTap(['--config', cdcConfig, '--state', followState])).lines));
    churn(em, 100_000, 'burst');
    const burst = await runTap(['--config', cdcConfig, '--state', burstState]);
    results.push({ name: 'cdc run: burst of 100,000 events', records: recordCount(burst.lines), seconds: burst.seconds, recordsPerSecond: 100_000 / burst.seconds, peakRssMb: burst.peakRssMb, note: 'peak RSS stays flat: events pulled 100 at a time' });
  } finally {
    await em.close();
  }
  return results;
}
