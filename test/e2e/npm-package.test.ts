/**
 * The package as users install it: `npm pack` of this checkout (its built dist/), the tarball
 * installed into a scratch prefix with production dependencies only, and every command run
 * through the installed bins against the emulator the package itself ships
 * (`tap-salesforce-emulator`). A file the build output imports but `files` leaves out fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-tap.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let scratch: string;
let bin: (name: string) => string;
let emulator: ChildProcess | undefined;
let config: Record<string, unknown>;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs an installed bin with a clean environment (no dev dependencies reachable from the checkout). */
async function tap(args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(bin('tap-salesforce'), args, { cwd: scratch, env: { PATH: process.env.PATH }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tap-npm-'));
  // The build is the test's input (like every e2e test); pack must not rebuild it.
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: REPO_ROOT });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
  const prefix = join(scratch, 'prefix');
  await run(npm, ['install', '--prefix', prefix, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball)], { cwd: scratch, maxBuffer: 16 * 1024 * 1024 });
  bin = (name) => join(prefix, 'node_modules', '.bin', name);
  emulator = spawn(bin('tap-salesforce-emulator'), ['--records', '30', '--seed', '5', '--bulk-job-delay-ms', '0'], { cwd: scratch, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: emulator!.stdout! }).once('line', resolve);
    emulator!.once('exit', (code) => reject(new Error(`the installed emulator exited with ${code}`)));
  });
  config = (JSON.parse(first) as { tap_config: Record<string, unknown> }).tap_config;
  writeFileSync(join(scratch, 'config.json'), JSON.stringify(config));
}, 300_000);

afterAll(() => {
  emulator?.kill('SIGTERM');
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the installed npm package', () => {
  it('has no dev dependency installed', () => {
    const installed = join(scratch, 'prefix', 'node_modules');
    for (const dev of ['vitest', 'typescript', 'fast-check', 'jsforce']) expect(existsSync(join(installed, dev)), dev).toBe(false);
  });

  it('answers spec, --about, --version and auth login --help', async () => {
    const spec = await tap(['spec']);
    expect(spec.code, spec.stderr).toBe(0);
    expect(lines(spec.stdout)[0]).toMatchObject({ type: 'SPEC' });
    const about = await tap(['--about', '--format', 'json']);
    expect(about.code, about.stderr).toBe(0);
    expect(JSON.parse(about.stdout)).toMatchObject({ name: 'tap-salesforce' });
    expect((await tap(['--version'])).stdout).toMatch(/^tap-salesforce \d+\.\d+\.\d+/);
    const help = await tap(['auth', 'login', '--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toContain('auth login --client-id');
  });

  it('checks, discovers and reads the installed emulator in both protocols', async () => {
    const check = await tap(['check', '--config', 'config.json']);
    expect(lines(check.stdout)).toEqual([expect.objectContaining({ type: 'CONNECTION_STATUS', connectionStatus: expect.objectContaining({ status: 'SUCCEEDED' }) })]);
    expect((await tap(['--config', 'config.json', '--test'])).code).toBe(0);
    const discover = await tap(['--config', 'config.json', '--discover']);
    expect(discover.code, discover.stderr).toBe(0);
    const catalog = JSON.parse(discover.stdout) as { streams: { stream: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
    catalog.streams = catalog.streams.filter((s) => s.stream === 'Account');
    catalog.streams[0]!.metadata[0]!.metadata.selected = true;
    writeFileSync(join(scratch, 'catalog.json'), JSON.stringify(catalog));
    const read = await tap(['--config', 'config.json', '--catalog', 'catalog.json']);
    expect(read.code, read.stderr).toBe(0);
    expect(lines(read.stdout).filter((m) => m.type === 'RECORD')).toHaveLength(30);
    const airbyte = await tap(['discover', '--config', 'config.json']);
    expect(lines(airbyte.stdout).map((m) => m.type)).toContain('CATALOG');
  });

  it('fails a bad config with one line and no stack trace', async () => {
    writeFileSync(join(scratch, 'bad.json'), JSON.stringify({ client_id: 'x' }));
    const bad = await tap(['--config', 'bad.json', '--discover']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
