/**
 * The Docker image, built with podman from the Dockerfile, runs spec, check, discover and read
 * against the emulator on the host, as Airbyte runs it: files mounted under /airbyte, a non-root
 * user, every stdout line a valid Airbyte message, a second read resuming from the first one's
 * state.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { REPO_ROOT } from '../helpers/run-tap.js';

const run = promisify(execFile);
const TAG = 'tap-salesforce:test';
const RUNTIME = '/usr/bin/runc';
const STREAMS = ['Account', 'Contact'];

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the image cannot be built here, or undefined. CI never skips: a missing podman fails. */
function skipReason(): string | undefined {
  if (process.env.CI === 'true' || process.env.CI === '1') return undefined;
  if (onPath('podman') && onPath('runc')) return undefined;
  if (process.getuid?.() === 0 && onPath('apt-get')) return undefined;
  return 'podman is not installed and cannot be installed without root and apt-get';
}
const skip = skipReason();

interface ContainerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Record<string, unknown>[];
}

/** podman run; async so the in-process emulator keeps serving while the container talks to it. */
function runContainer(args: string[], mounts: string[] = []): Promise<ContainerRun> {
  return new Promise((resolve, reject) => {
    const volumes = mounts.flatMap((m) => ['-v', m]);
    const child = spawn('podman', ['--runtime', RUNTIME, 'run', '--rm', '--network', 'host', ...volumes, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const messages = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, messages });
    });
  });
}

/** Runs the build script; a failure carries the end of its output (tsc and npm write to stdout). */
async function buildImage(): Promise<void> {
  try {
    await run('bash', [join(REPO_ROOT, 'scripts', 'container', 'build-image.sh'), TAG], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`Building the image failed:\n${tail}`);
  }
}

let emulator: Emulator;
let dir: string;
const mount = () => `${dir}:/airbyte/config:ro`;

beforeAll(async () => {
  if (skip) return;
  // Installs podman when missing (CI runs as root on a fresh Debian machine), makes the local
  // Node 24 base image once (cached by tag), then builds the Dockerfile.
  const started = Date.now();
  await buildImage();
  process.stderr.write(`container: image ${TAG} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  emulator = await startEmulator({ records: 2000, seed: 8 });
  dir = mkdtempSync(join(tmpdir(), 'tap-image-'));
  chmodSync(dir, 0o755);
}, 600_000);

afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A file the container's non-root user can read, and its path inside the container. */
function writeShared(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value), { mode: 0o644 });
  chmodSync(path, 0o644);
  return `/airbyte/config/${name}`;
}

describe.skipIf(skip !== undefined)(`the Docker image${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('declares a non-root user, the Airbyte entrypoint and the package version', async () => {
    const { stdout } = await run('podman', ['image', 'inspect', TAG, '--format', '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Env}}|{{index .Labels "io.airbyte.version"}}']);
    const [user, entrypoint, env, version] = stdout.trim().split('|');
    expect(user!.split(':')[0]).not.toMatch(/^(0|root)?$/);
    const command = (JSON.parse(entrypoint!) as string[]).join(' ');
    expect(JSON.parse(env!) as string[]).toContain(`AIRBYTE_ENTRYPOINT=${command}`);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toBe(pkg.version);
  });

  it('runs as a non-root user on Node 24 who can write /airbyte', async () => {
    const probe = "const fs=require('node:fs');fs.writeFileSync('/airbyte/probe','x');console.log(JSON.stringify({uid:process.getuid(),gid:process.getgid(),cwd:process.cwd(),node:process.version}))";
    const result = await runContainer(['--entrypoint', 'node', TAG, '-e', probe]);
    expect(result.code, result.stderr).toBe(0);
    const who = JSON.parse(result.stdout) as { uid: number; gid: number; cwd: string; node: string };
    expect(who.uid).not.toBe(0);
    expect(who.gid).not.toBe(0);
    expect(who.cwd).toBe('/airbyte');
    expect(who.node).toMatch(/^v24\./);
  });

  it('answers spec, check, discover and read, then resumes a read from its state', async () => {
    const config = writeShared('config.json', emulator.tapConfig('password'));

    const spec = await runContainer([TAG, 'spec']);
    expect(spec.code, spec.stderr).toBe(0);
    assertValidAirbyteLines(spec.stdout);
    expect(spec.messages[0]!.type).toBe('SPEC');

    const check = await runContainer([TAG, 'check', '--config', config], [mount()]);
    expect(check.code, check.stderr).toBe(0);
    assertValidAirbyteLines(check.stdout);
    const status = check.messages.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus as { status: string } | undefined;
    expect(status?.status, check.stderr).toBe('SUCCEEDED');

    const discover = await runContainer([TAG, 'discover', '--config', config], [mount()]);
    expect(discover.code, discover.stderr).toBe(0);
    assertValidAirbyteLines(discover.stdout);
    const streams = (discover.messages.find((m) => m.type === 'CATALOG')!.catalog as { streams: { name: string }[] }).streams;
    expect(streams.length).toBeGreaterThan(5);

    const chosen = streams.filter((s) => STREAMS.includes(s.name));
    expect(chosen.map((s) => s.name).sort()).toEqual(STREAMS);
    const catalog = writeShared('catalog.json', { streams: chosen.map((stream) => ({ stream, sync_mode: 'incremental', destination_sync_mode: 'append' })) });
    const read = await runContainer([TAG, 'read', '--config', config, '--catalog', catalog], [mount()]);
    expect(read.code, read.stderr).toBe(0);
    assertValidAirbyteLines(read.stdout);
    const records = read.messages.filter((m) => m.type === 'RECORD');
    const expected = STREAMS.map((s) => emulator.org.prepareQuery(`SELECT Id FROM ${s}`, { includeDeleted: true }).totalSize()).reduce((a, b) => a + b, 0);
    expect(records.length).toBe(expected);
    const states = read.messages.filter((m) => m.type === 'STATE').map((m) => m.state as { stream: { stream_descriptor: { name: string } } });
    expect(states.length).toBeGreaterThanOrEqual(2);

    // The last STATE per stream, as Airbyte hands it back on the next sync.
    const latest = new Map(states.map((s) => [s.stream.stream_descriptor.name, s]));
    expect([...latest.keys()].sort()).toEqual(STREAMS);
    const state = writeShared('state.json', [...latest.values()]);
    const resumed = await runContainer([TAG, 'read', '--config', config, '--catalog', catalog, '--state', state], [mount()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    assertValidAirbyteLines(resumed.stdout);
    expect(resumed.messages.filter((m) => m.type === 'RECORD').length).toBeLessThan(records.length);
    expect(resumed.messages.some((m) => m.type === 'STATE')).toBe(true);
  });
});
