/**
 * The benchmark's processes: the emulator's CLI (its ready line parsed) and the tap's CLI under
 * GNU time, with the Docker image's memory settings.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(root, 'dist', 'src', 'cli', 'main.js');
const emulatorCli = join(root, 'dist', 'emulator', 'cli.js');

export interface Result {
  name: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond?: number;
  peakRssMb?: number;
  note?: string;
}

/** The tap runs with the Docker image's memory settings (NODE_OPTIONS, MALLOC_ARENA_MAX), read from the Dockerfile. */
export const IMAGE_ENV: Record<string, string> = Object.fromEntries([...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^ENV (NODE_OPTIONS|MALLOC_ARENA_MAX)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
export const IMAGE_SETTINGS = Object.entries(IMAGE_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
export interface EmulatorInfo {
  login_url: string;
  instance_url: string;
  username: string;
  password: string;
  security_token: string;
  client_id: string;
  client_secret: string;
  tap_config: Record<string, unknown>;
}

export async function startEmulator(extra: string[]): Promise<{ info: EmulatorInfo; child: ChildProcess }> {
  const child = spawn(process.execPath, [emulatorCli, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve(buffer.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { info: JSON.parse(line) as EmulatorInfo, child };
}

export interface TapRun {
  seconds: number;
  peakRssMb: number;
  /** Records the tap says it sent, summed over its `<stream>: complete (N records)` lines. */
  records: number;
  stderr: string;
}

export interface TapOptions {
  cpuProf?: string;
  /** Without the image's memory settings. */
  runtimeDefaults?: boolean;
  /** stdout into `cat > /dev/null` on the same CPUs, as a Singer target or Airbyte's reader would take it. */
  piped?: boolean;
}

/**
 * Runs the built CLI with stdout to /dev/null (or through a pipe) under GNU time; it must have
 * sent `expected` records (undefined: any number).
 */
export function spawnTap(label: string, argv: string[], expected: number | undefined, options: TapOptions = {}): TapRun {
  const started = process.hrtime.bigint();
  const node = options.cpuProf ? [process.execPath, '--cpu-prof', '--cpu-prof-dir', options.cpuProf] : [process.execPath];
  const env: NodeJS.ProcessEnv = { ...process.env, ...IMAGE_ENV };
  if (options.runtimeDefaults) for (const name of Object.keys(IMAGE_ENV)) delete env[name];
  const command = ['/usr/bin/time', '-f', '%M', ...node, CLI, ...argv];
  const run = options.piped
    ? spawnSync('/bin/bash', ['-c', 'set -o pipefail; "$@" | cat > /dev/null', 'bash', ...command], { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 64 << 20 })
    : spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = run.stderr.toString();
  return { seconds, ...outcome(label, run.status, stderr, expected), stderr };
}

/** Records sent (its `complete (N records)` lines) and peak RSS (GNU time's last line) of a finished run, or why it failed. */
function outcome(label: string, status: number | null, stderr: string, expected: number | undefined): { records: number; peakRssMb: number } {
  if (status !== 0) throw new Error(`${label} exited with ${status}:\n${stderr.slice(-2000)}`);
  const records = [...stderr.matchAll(/ INFO \S+: complete \((\d+) records\)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  if (expected !== undefined && records !== expected) throw new Error(`${label}: the tap sent ${records} records, expected ${expected}`);
  return { records, peakRssMb: Number(stderr.trim().split('\n').at(-1)) / 1024 };
}


export interface AsyncTapRun extends TapRun {
  /** stdout's lines, when asked for (`keepStdout`); otherwise stdout went to /dev/null. */
  lines: string[];
}

/**
 * `spawnTap` without blocking this process: for benchmarks whose emulator runs in-process and
 * must go on serving while the tap runs.
 */
export function runTapAsync(label: string, argv: string[], expected: number | undefined, options: { keepStdout?: boolean } = {}): Promise<AsyncTapRun> {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, CLI, ...argv], { stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe'], env: { ...process.env, ...IMAGE_ENV } });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      try {
        resolve({ seconds, ...outcome(label, code, stderr, expected), stderr, lines: Buffer.concat(out).toString().split('\n').filter(Boolean) });
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}
