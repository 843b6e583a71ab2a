/**
 * The Docker image, built with podman from the Dockerfile, runs spec, check, discover and read
 * against the emulator on the host, as Airbyte runs it: files mounted under /airbyte, a non-root
 * user, every stdout line a valid Airbyte message.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { REPO_ROOT } from '../helpers/run-tap.js';

const run = promisify(execFile);
const TAG = 'tap-salesforce:test';

interface ContainerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
}

/** podman run; async so the in-process emulator keeps serving while the container talks to it. */
function runContainer(args: string[], dir: string): Promise<ContainerRun> {
  return new Promise((resolve) => {
    const child = spawn('podman', ['--runtime', '/usr/bin/runc', 'run', '--rm', '--network', 'host', '-v', `${dir}:/airbyte/in:ro`, TAG, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      const messages = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, messages });
    });
  });
}

let emulator: Emulator;
let dir: string;

const hasPodman = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// CI always runs it (podman is installed as root); elsewhere without podman or root it cannot.
const canRun = process.env.CI === 'true' || hasPodman || process.getuid?.() === 0;

beforeAll(async () => {
  if (!canRun) return;
  // Installs podman when missing (CI runs as root on a fresh Debian machine), then builds.
  await run('bash', [join(REPO_ROOT, 'scripts', 'container', 'build-image.sh'), TAG], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  emulator = await startEmulator({ records: 300, seed: 8 });
  dir = mkdtempSync(join(tmpdir(), 'tap-image-'));
  chmodSync(dir, 0o755);
}, 600_000);

afterAll(async () => {
  await emulator?.close();
});

/** Files the container's non-root user can read. */
function writeShared(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value), { mode: 0o644 });
  chmodSync(path, 0o644);
  return `/airbyte/in/${name}`;
}

describe.skipIf(!canRun)('the Docker image (needs podman, or root to install it)', () => {
  it('runs as a non-root user with the Airbyte entrypoint', async () => {
    const { stdout } = await run('podman', ['image', 'inspect', TAG, '--format', '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Env}}|{{index .Labels "io.airbyte.version"}}']);
    const [user, entrypoint, env, version] = stdout.trim().split('|');
    expect(user).toBe('10001:10001');
    const command = (JSON.parse(entrypoint!) as string[]).join(' ');
    expect(JSON.parse(env!) as string[]).toContain(`AIRBYTE_ENTRYPOINT=${command}`);
    expect(version).toBe((JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))) as { version: string }).version);
  });

  it('answers spec, check, discover and read against the emulator', async () => {
    const config = writeShared('config.json', emulator.tapConfig('password'));

    const spec = await runContainer(['spec'], dir);
    expect(spec.code, spec.stderr).toBe(0);
    assertValidAirbyteLines(spec.stdout);
    expect(spec.messages[0]!.type).toBe('SPEC');

    const check = await runContainer(['check', '--config', config], dir);
    assertValidAirbyteLines(check.stdout);
    expect((check.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus as { status: string }).status, check.stderr).toBe('SUCCEEDED');

    const discover = await runContainer(['discover', '--config', config], dir);
    expect(discover.code, discover.stderr).toBe(0);
    assertValidAirbyteLines(discover.stdout);
    const streams = (discover.messages.find((m) => m.type === 'CATALOG')!.catalog as { streams: { name: string; supported_sync_modes: string[] }[] }).streams;
    expect(streams.length).toBeGreaterThan(5);

    const chosen = streams.filter((s) => s.name === 'Account' || s.name === 'Contact');
    const catalog = writeShared('catalog.json', { streams: chosen.map((stream) => ({ stream, sync_mode: 'incremental', destination_sync_mode: 'append' })) });
    const read = await runContainer(['read', '--config', config, '--catalog', catalog], dir);
    expect(read.code, read.stderr).toBe(0);
    assertValidAirbyteLines(read.stdout);
    const records = read.messages.filter((m) => m.type === 'RECORD');
    const expected = ['Account', 'Contact'].map((s) => emulator.org.prepareQuery(`SELECT Id FROM ${s}`, { includeDeleted: true }).totalSize()).reduce((a, b) => a + b, 0);
    expect(records.length).toBe(expected);
    expect(read.messages.filter((m) => m.type === 'STATE').length).toBeGreaterThanOrEqual(2);
  });
});
