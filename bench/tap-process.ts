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
  if (run.status !== 0) throw new Error(`${label} exited with ${run.status}:\n${stderr.slice(-2000)}`);
  const records = [...stderr.matchAll(/ INFO \S+: complete \((\d+) records\)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  if (expected !== undefined && records !== expected) throw new Error(`${label}: the tap sent ${records} records, expected ${expected}`);
  return { seconds, peakRssMb: Number(stderr.trim().split('\n').at(-1)) / 1024, records, stderr };
}

