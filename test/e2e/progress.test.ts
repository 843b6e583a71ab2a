/**
 * When the live progress display is drawn: on a terminal, but not with --quiet, not in CI, and
 * never on stdout. The CLI runs in-process so that stderr can be a (fake) terminal.
 */
import { createServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runCli } from '../../src/cli/run-cli.js';
import { writeFiles } from '../helpers/run-tap.js';

let emulator: Emulator;
let configPath: string;

beforeAll(async () => {
  emulator = await startEmulator({ records: 300, seed: 43 });
  const dir = writeFiles({ 'config.json': { ...emulator.tapConfig('password'), streams_include: ['Account', 'Contact'] } });
  configPath = `${dir}/config.json`;
});
afterAll(async () => {
  await emulator.close();
});

async function readOnTerminal(extraArgs: string[], env: Record<string, string> = {}, signal = new AbortController().signal, config = configPath): Promise<{ code: number; stderr: string; stdout: string }> {
  const tty = Object.assign(new PassThrough(), { columns: 100, rows: 40, isTTY: true });
  let stderr = '';
  tty.on('data', (c: Buffer) => (stderr += c.toString()));
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await runCli(['--config', config, ...extraArgs], { stdout, stderrTty: tty, writeStderr: (text) => tty.write(text), env, signal });
  return { code, stderr, stdout: out };
}

const ESCAPE = '\u001b[';
const recordCount = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).length;

describe('progress display', () => {
  it('draws live lines on a terminal and keeps stdout free of them', async () => {
    const run = await readOnTerminal([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(ESCAPE);
    expect(run.stderr).toMatch(/Account\s+300 rows/);
    expect(run.stdout).not.toContain(ESCAPE);
    expect(run.stdout).not.toMatch(/rows\/s/);
  });

  it('draws nothing and logs only warnings with --quiet', async () => {
    const run = await readOnTerminal(['--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain(ESCAPE);
    expect(run.stderr).not.toMatch(/ INFO /);
    expect(recordCount(run.stdout)).toBe(300 + 600);
  });

  it('draws nothing in CI (CI=1), where stderr goes to a build log', async () => {
    const run = await readOnTerminal([], { CI: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain(ESCAPE);
    expect(run.stderr).toMatch(/ INFO Account: complete/);
  });

  it('logs an interrupt as a WARN line through the logger, which keeps it above the live lines', async () => {
    // A login host that accepts connections and never answers: the run waits until interrupted.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const dir = writeFiles({ 'config.json': { ...emulator.tapConfig('password'), login_url: `http://127.0.0.1:${port}` } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGINT')), 300);
    const run = await readOnTerminal([], {}, controller.signal, `${dir}/config.json`);
    for (const socket of sockets) socket.destroy();
    silent.close();
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^\S+ WARN Received SIGINT; stopping\.$/m);
  });
});
