/**
 * Crash and resume for change event (LOG_BASED) streams: the Singer CLI reads Account through the
 * Pub/Sub API while the org changes, and is killed with SIGKILL at seeded random moments (inside
 * the snapshot, between events, while re-reading), each run restarting from the last STATE it
 * emitted. Folding every run's output in order must give the org's rows: 0 lost.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { createRandom } from '../../emulator/server/ids.js';
import { CLI_PATH, writeFiles } from '../helpers/run-tap.js';

const SEED = Number(process.env.CRASH_SEED ?? 7);
const KILLS = 8;
const MAX_RUNS = 3 * KILLS;

let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ records: 800, seed: SEED, cdcObjects: ['Account'], settings: { bulkJobDelayMs: 300 } });
  em.pubsub.settings.keepaliveMs = 200;
});
afterAll(async () => em.close());

interface Outcome {
  lines: Record<string, unknown>[];
  killed: boolean;
  exitCode: number | null;
  stderr: string;
}

/** Runs the Singer CLI while `churn` changes the org every 30 ms; SIGKILL after `killAfterMs`. */
function runUntil(dir: string, args: string[], killAfterMs: number | undefined, churn: () => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let killed = false;
    const ticker = setInterval(churn, 30);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill('SIGKILL')), killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearInterval(ticker);
      clearTimeout(timer);
      const text = Buffer.concat(out).toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      resolve({ lines: complete.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), killed, exitCode: code, stderr });
    });
  });
}

const truth = () => new Map([...em.org.prepareQuery('SELECT Id, Name FROM Account', { includeDeleted: false }).rows()].map((r) => [r.id, r.values[1]]));

describe(`change events: crash and resume (seed ${SEED})`, () => {
  it(`loses no change across ${KILLS} SIGKILLs while the org keeps changing`, async () => {
    const random = createRandom(SEED);
    const config = { ...em.tapConfig('password'), planner: 'sequential', streams_include: ['Account'], change_data_capture: ['Account'], pubsub_url: em.pubsub.url, cdc_idle_seconds: 2, stream_slice_step: 'P365D' };
    const dir = writeFiles({ 'config.json': config });
    let n = 0;
    const churn = () => {
      n += 1;
      const ids = [...truth().keys()];
      const pick = () => ids[Math.floor(random() * ids.length)]!;
      const roll = random();
      if (roll < 0.4) em.mutate.create('Account', { Name: `crash ${n}` });
      else if (roll < 0.85) em.mutate.update('Account', pick(), { Name: `crash update ${n}` });
      else em.mutate.delete('Account', pick());
    };
    const rows = new Map<string, unknown>();
    let state: unknown;
    const kills: number[] = [];
    // A resumed run that catches up ends on its own, often before its kill time: runs go on until
    // KILLS of them were killed (bounded), then one last run without a kill finishes the sync.
    for (let attempt = 0; ; attempt += 1) {
      const last = kills.length >= KILLS || attempt >= MAX_RUNS;
      const killAt = last ? undefined : 300 + Math.floor(random() * 2500);
      if (state !== undefined) writeFiles({ 'state.json': state }, dir);
      const outcome = await runUntil(dir, ['--config', 'config.json', ...(state !== undefined ? ['--state', 'state.json'] : [])], killAt, last ? () => undefined : churn);
      for (const line of outcome.lines) {
        if (line.type === 'RECORD') {
          const r = line.record as Record<string, unknown>;
          if (r['_sdc_deleted_at'] || r['IsDeleted'] === true) rows.delete(r['Id'] as string);
          else rows.set(r['Id'] as string, r['Name']);
        }
        if (line.type === 'STATE') state = line.value;
      }
      if (outcome.killed) kills.push(killAt!);
      else expect(outcome.exitCode, outcome.stderr).toBe(0);
      if (last) break;
    }
    expect(kills.length).toBeGreaterThanOrEqual(KILLS / 2);
    const expected = truth();
    const lost = [...expected].filter(([id, name]) => rows.get(id) !== name);
    const extra = [...rows.keys()].filter((id) => !expected.has(id));
    expect(lost, `lost or stale: ${JSON.stringify(lost.slice(0, 3))}`).toEqual([]);
    expect(extra, 'deleted rows still present').toEqual([]);
    console.log(`change events crash/resume seed ${SEED}: ${kills.length} kills at ${kills.join(', ')} ms; ${n} changes; ${expected.size} rows.`);
  }, 300_000);
});
