/**
 * What people and orchestrators see on stderr during a read: Singer METRIC lines (record counters
 * that add up to the records sent, HTTP timers without ids or SOQL), and live progress lines when
 * stderr is a terminal.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runCli } from '../../src/cli/run-cli.js';
import { runTap, writeFiles } from '../helpers/run-tap.js';

let emulator: Emulator;
let config: Record<string, unknown>;

beforeAll(async () => {
  emulator = await startEmulator({ records: 500, seed: 41 });
  // Calendar windows read through Bulk jobs, whose requests the timers must name.
  config = { ...emulator.tapConfig('password'), planner: 'sequential', streams_include: ['Account', 'Contact'] };
});
afterAll(async () => {
  await emulator.close();
});

const metricsOf = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.includes(' METRIC: '))
    .map((l) => JSON.parse(l.slice(l.indexOf('METRIC: ') + 8)) as { type: string; metric: string; value: number; tags: Record<string, string | number> });

describe('Singer METRIC lines', () => {
  it('count each stream\'s records (the values add up to what was sent) and time every request', async () => {
    const run = await runTap(['--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect(run.exitCode, run.stderr).toBe(0);
    const metrics = metricsOf(run.stderr);
    for (const stream of ['Account', 'Contact']) {
      const counted = metrics.filter((m) => m.metric === 'record_count' && m.tags.endpoint === stream).reduce((n, m) => n + m.value, 0);
      expect(counted, stream).toBe(run.records().get(stream)!.length);
    }
    const timers = metrics.filter((m) => m.metric === 'http_request_duration');
    expect(timers.length).toBeGreaterThan(5);
    expect(timers.map((t) => t.tags.endpoint)).toEqual(expect.arrayContaining(['oauth2/token', 'jobs/query', 'jobs/query/:id', 'jobs/query/:id/results']));
    for (const t of timers) expect(String(t.tags.endpoint)).not.toMatch(/SELECT|750[A-Za-z0-9]{12}/);
  });

  it('are not written in Airbyte mode, where stderr is free text', async () => {
    const discover = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect(metricsOf(discover.stderr)).toEqual([]);
  });
});

describe('live progress on a terminal', () => {
  it('draws a line per stream with rows and rate, and leaves the final lines', async () => {
    const dir = writeFiles({ 'config.json': config });
    const tty = Object.assign(new PassThrough(), { columns: 120, isTTY: true });
    let drawn = '';
    tty.on('data', (c: Buffer) => (drawn += c.toString()));
    const stdout = new PassThrough();
    stdout.resume();
    const code = await runCli(['--config', `${dir}/config.json`], {
      stdout,
      stderrTty: tty,
      writeStderr: (text) => tty.write(text),
      env: { TAP_SALESFORCE_PROGRESS: 'tty' },
      signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(drawn).toMatch(/Account\s+500 rows\s+done in \d+s/);
    expect(drawn).toMatch(/Contact\s+1,000 rows\s+done in \d+s/);
    expect(drawn).toContain('\u001b[');
  });
});
