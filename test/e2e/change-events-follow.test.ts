/**
 * Singer `--follow` on a change event (LOG_BASED) stream: the built CLI keeps streaming while the
 * org changes, each change reaching stdout as a RECORD (a delete as a tombstone) while the process
 * runs; SIGTERM ends it cleanly with a STATE that a later run resumes from exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { CLI_PATH, runTap, writeFiles } from '../helpers/run-tap.js';

let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ records: 80, seed: 13, cdcObjects: ['Account'] });
  em.pubsub.settings.keepaliveMs = 200;
});
afterAll(async () => em.close());

type Line = Record<string, unknown>;

/** The CLI's stdout as parsed lines, with a wait for the first line (from an index on) that matches. */
function follow(dir: string): { child: ChildProcess; lines: Line[]; stderr: () => string; waitFor(test: (l: Line) => boolean, from?: number): Promise<Line>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI_PATH, '--config', 'config.json', '--follow'], { cwd: dir, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let stderr = '';
  let wake = () => undefined as void;
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as Line);
    wake();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exit,
    async waitFor(test, from = 0) {
      for (;;) {
        const found = lines.slice(from).find(test);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before the line came:\n${stderr}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

const record = (l: Line) => (l['type'] === 'RECORD' ? (l['record'] as Record<string, unknown>) : undefined);
const hasReplayId = (l: Line) => l['type'] === 'STATE' && JSON.stringify(l['value']).includes('replay_id');

describe('--follow on a change event stream', () => {
  it('delivers each change while running, and SIGTERM ends it with a STATE that resumes exactly', async () => {
    const config = { ...em.tapConfig('password'), planner: 'sequential', streams_include: ['Account'], change_data_capture: ['Account'], pubsub_url: em.pubsub.url, cdc_idle_seconds: 1 };
    const dir = writeFiles({ 'config.json': config });
    const run = follow(dir);
    try {
      // The snapshot is out and the position stored: from here on the stream follows events.
      await run.waitFor(hasReplayId);
      const schema = run.lines.find((l) => l['type'] === 'SCHEMA')!;
      expect(Object.keys((schema['schema'] as { properties: object }).properties)).toContain('_sdc_deleted_at');

      let mark = run.lines.length;
      const created = em.mutate.create('Account', { Name: 'followed' });
      expect(record(await run.waitFor((l) => record(l)?.['Id'] === created, mark))?.['Name']).toBe('followed');
      expect(run.child.exitCode).toBeNull();

      mark = run.lines.length;
      em.mutate.update('Account', created, { Name: 'followed, renamed' });
      expect(record(await run.waitFor((l) => record(l)?.['Id'] === created, mark))?.['Name']).toBe('followed, renamed');

      mark = run.lines.length;
      const victim = [...em.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).rows()].map((r) => r.id).find((id) => id !== created)!;
      em.mutate.delete('Account', victim);
      const tombstone = record(await run.waitFor((l) => record(l)?.['Id'] === victim, mark))!;
      expect(tombstone['_sdc_deleted_at']).toEqual(expect.any(String));
      expect(tombstone['IsDeleted']).toBe(true);
      // The tombstone's cursor is the deletion time: destinations keeping the latest row per key keep it.
      expect(tombstone['SystemModstamp']).toBe(tombstone['_sdc_deleted_at']);
      // Its STATE follows it while the process still runs.
      await run.waitFor(hasReplayId, run.lines.indexOf(run.lines.find((l) => record(l)?.['Id'] === victim)!) + 1);
      expect(run.child.exitCode).toBeNull();
    } finally {
      run.child.kill('SIGTERM');
    }
    const code = await run.exit;
    // 143: interrupted by SIGTERM, the last STATE emitted (README "Exit codes").
    expect([0, 143], run.stderr()).toContain(code);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    expect(run.stderr().split('\n').filter((l) => / ERROR /.test(l))).toEqual([expect.stringMatching(/TAP_INTERRUPTED/)]);
    const finalState = run.lines.filter((l) => l['type'] === 'STATE').at(-1)!['value'];
    expect(JSON.stringify(finalState)).toContain('replay_id');

    // From that STATE, a run without --follow finds nothing old; a new change comes alone.
    writeFiles({ 'state.json': finalState }, dir);
    const args = ['--config', '{file:config.json}', '--state', '{file:state.json}'];
    const again = await runTap(args, { dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.records().get('Account') ?? []).toEqual([]);
    const later = em.mutate.create('Account', { Name: 'after follow' });
    const next = await runTap(args, { dir });
    expect(next.exitCode, next.stderr).toBe(0);
    expect((next.records().get('Account') ?? []).map((r) => r['Id'])).toEqual([later]);
  });
});
