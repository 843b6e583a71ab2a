/**
 * Crash and resume: the CLI is killed with SIGKILL at seeded random points of its output and
 * restarted each time from the last STATE it emitted. Whatever it had written, the union of all
 * runs' records must be the whole org: no row lost. Through Bulk API 2.0 (and REST where Bulk
 * cannot serve) and through Bulk API 1.0 with PK chunking.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { createRandom } from '../../emulator/server/ids.js';
import { CLI_PATH, expectNoSecrets, secretsGiven, writeFiles } from '../helpers/run-tap.js';

const SEED = Number(process.env.CRASH_SEED ?? 7);
const KILLS = 12;
const STREAMS = ['Account', 'Contact', 'Opportunity', 'AcceptedEventRelation'];

let emulator: Emulator;

interface Outcome {
  /** Complete stdout lines only: a line cut by the kill is what a target would have dropped. */
  lines: Record<string, unknown>[];
  killed: boolean;
  exitCode: number | null;
  stderr: string;
}

/** Runs the Singer CLI; kills it with SIGKILL once stdout has `killAfterBytes` bytes. */
function runUntil(dir: string, args: string[], killAfterBytes: number | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (killed) return;
      out.push(chunk);
      bytes += chunk.length;
      if (killAfterBytes !== undefined && bytes >= killAfterBytes) {
        killed = child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      const lines = complete.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ lines, killed, exitCode: code, stderr });
    });
  });
}

function orgIds(sobject: string): Set<string> {
  return new Set([...emulator.org.prepareQuery(`SELECT Id FROM ${sobject}`, { includeDeleted: true }).rows()].map((r) => r.id));
}

beforeAll(async () => {
  emulator = await startEmulator({ records: 4000, seed: SEED });
});
afterAll(async () => {
  await emulator.close();
});

describe.each(['auto', 'BULK1'])(`crash and resume (seed ${SEED}, api_type %s)`, (apiType) => {
  it(`loses no row across ${KILLS} SIGKILLs, each run resuming from the last STATE it emitted`, async () => {
    const random = createRandom(SEED);
    const config = {
      ...emulator.tapConfig('password'),
      lookback_window: '0',
      stream_slice_step: 'P90D',
      max_records: 1000,
      streams_include: STREAMS,
      api_type: apiType,
      pk_chunk_size: 500,
    };
    const dir = writeFiles({ 'config.json': config });
    // A clean run's size scales the kill points: each run is cut within its first tenth of it.
    const clean = await runUntil(dir, ['--config', 'config.json'], undefined);
    expect(clean.exitCode, clean.stderr).toBe(0);
    const cleanBytes = clean.lines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0);

    const seen = new Map<string, Set<string>>(STREAMS.map((s) => [s, new Set<string>()]));
    let emitted = 0;
    let state: unknown;
    const killPoints: number[] = [];
    let finished = false;
    for (let attempt = 0; attempt <= KILLS && !finished; attempt++) {
      const killAt = attempt < KILLS ? Math.floor(random() * cleanBytes * 0.1) + 1 : undefined;
      if (killAt !== undefined) killPoints.push(killAt);
      if (state !== undefined) writeFiles({ 'state.json': state }, dir);
      const outcome = await runUntil(dir, ['--config', 'config.json', ...(state !== undefined ? ['--state', 'state.json'] : [])], killAt);
      expectNoSecrets({ stdout: outcome.lines.map((l) => JSON.stringify(l)).join('\n'), stderr: outcome.stderr }, secretsGiven({ files: { 'config.json': config } }));
      for (const line of outcome.lines) {
        if (line.type === 'RECORD') {
          seen.get(line.stream as string)?.add((line.record as { Id: string }).Id);
          emitted++;
        }
        if (line.type === 'STATE') state = line.value;
      }
      if (!outcome.killed) {
        expect(outcome.exitCode, outcome.stderr).toBe(0);
        finished = true;
      }
    }
    // Whatever is left after the last kill is read by one final run.
    if (!finished) {
      if (state !== undefined) writeFiles({ 'state.json': state }, dir);
      const last = await runUntil(dir, ['--config', 'config.json', ...(state !== undefined ? ['--state', 'state.json'] : [])], undefined);
      expect(last.exitCode, last.stderr).toBe(0);
      for (const line of last.lines) if (line.type === 'RECORD') seen.get(line.stream as string)?.add((line.record as { Id: string }).Id);
    }

    expect(killPoints.length).toBeGreaterThanOrEqual(10);
    let total = 0;
    for (const stream of STREAMS) {
      const expected = orgIds(stream);
      const got = seen.get(stream)!;
      const lost = [...expected].filter((id) => !got.has(id));
      expect(lost.length, `${stream}: lost ${lost.slice(0, 3).join(', ')}`).toBe(0);
      total += expected.size;
    }
    console.log(`crash/resume seed ${SEED}: ${killPoints.length} kills at bytes ${killPoints.join(', ')} of ${cleanBytes}; ${total} rows, ${emitted} records emitted in all (re-read after kills: ${emitted - total}).`);
  }, 300_000);
});
