/**
 * Runs the built CLI (`node dist/src/cli/main.js`) as a child process and returns what it did:
 * exit code, raw stdout and stderr, the stdout lines parsed as JSON (when they are), and the
 * messages grouped the way tests ask about them. Files are written to a fresh temp directory and
 * `{file:name}` in an argument is replaced by that file's path. e2e tests need `npm run build`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_KEYS } from '../../src/config/schema.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CLI_PATH = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export interface RunTapOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** name → content (objects are JSON-encoded). */
  files?: Record<string, unknown>;
  /** Reuse a directory (to read a rewritten config afterwards). */
  dir?: string;
  /** Sent once stderr matches `whenStderr` (interruption tests), or after `afterMs`. */
  signal?: { name: NodeJS.Signals; whenStderr?: RegExp; afterMs?: number };
  timeoutMs?: number;
}

export interface TapMessage {
  type: string;
  [key: string]: unknown;
}

export interface TapRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  dir: string;
  /** Every stdout line parsed as JSON; throws if one is not. */
  messages(): TapMessage[];
  /** Messages of one `type`. */
  ofType(type: string): TapMessage[];
  /** Airbyte RECORD data (or Singer RECORD record) per stream. */
  records(): Map<string, Record<string, unknown>[]>;
  /** Airbyte TRACE ERROR payloads. */
  errors(): Record<string, unknown>[];
}

export function writeFiles(files: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), 'tap-run-'))): string {
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  }
  return dir;
}

export async function runTap(args: string[], options: RunTapOptions = {}): Promise<TapRun> {
  const dir = writeFiles(options.files ?? {}, options.dir);
  const resolved = args.map((a) => a.replace(/\{file:([^}]+)\}/g, (_, name: string) => join(dir, name)));
  const child = spawn(process.execPath, [CLI_PATH, ...resolved], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  let signalled = false;
  child.stderr.on('data', (c: Buffer) => {
    err.push(c);
    const trigger = options.signal?.whenStderr;
    if (!signalled && trigger && trigger.test(Buffer.concat(err).toString('utf8'))) {
      signalled = true;
      child.kill(options.signal!.name);
    }
  });
  // A tap may stop reading stdin early (an input over its size limit): that is not the test's failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');
  if (options.signal?.afterMs !== undefined) {
    const { name, afterMs } = options.signal;
    setTimeout(() => child.kill(name), afterMs);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, sig) => resolve([code, sig])));
  clearTimeout(timer);
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  // Every run is scanned for the secrets it was given; CONTROL messages carry the config by design.
  const shownStdout = stdout.split('\n').filter((line) => !line.startsWith('{"type":"CONTROL"')).join('\n');
  expectNoSecrets({ stdout: shownStdout, stderr }, secretsGiven(options));
  const messages = (): TapMessage[] =>
    stdout
      .split('\n')
      .filter((line, i, all) => !(line === '' && i === all.length - 1))
      .map((line, i) => {
        try {
          return JSON.parse(line) as TapMessage;
        } catch {
          throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}\nstderr:\n${stderr}`);
        }
      });
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    dir,
    messages,
    ofType: (type) => messages().filter((m) => m.type === type),
    records: () => {
      const byStream = new Map<string, Record<string, unknown>[]>();
      for (const m of messages()) {
        if (m.type !== 'RECORD') continue;
        const airbyte = m.record as { stream?: string; data?: Record<string, unknown> } | undefined;
        const stream = airbyte?.data ? airbyte.stream! : (m.stream as string);
        const data = airbyte?.data ?? (m.record as Record<string, unknown>);
        const list = byStream.get(stream);
        if (list) list.push(data);
        else byStream.set(stream, [data]);
      }
      return byStream;
    },
    errors: () =>
      messages()
        .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')
        .map((m) => (m.trace as { error: Record<string, unknown> }).error),
  };
}

const SECRET_NAMES = new Set<string>(SECRET_KEYS);

/** Secret values in the run's files (by config key, at any depth) and in TAP_SALESFORCE_* env vars. */
export function secretsGiven(options: Pick<RunTapOptions, 'files' | 'env'>): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (SECRET_NAMES.has(key) && typeof inner === 'string' && inner.length >= 6) found.add(inner);
        else walk(inner);
      }
    }
  };
  for (const content of Object.values(options.files ?? {})) {
    if (typeof content !== 'string') walk(content);
    else {
      try {
        walk(JSON.parse(content));
      } catch {
        // Not JSON (a deliberately broken file): nothing to scan for.
      }
    }
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value && value.length >= 6 && SECRET_NAMES.has(name.replace(/^TAP_SALESFORCE_/, '').toLowerCase())) found.add(value);
  }
  return [...found];
}

/** Fails when any of `secrets` appears in stdout or stderr (raw, URL-encoded or JSON-escaped). */
export function expectNoSecrets(run: Pick<TapRun, 'stdout' | 'stderr'>, secrets: string[], allowedInStdout: string[] = []): void {
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (run.stderr.includes(form)) throw new Error(`secret leaked to stderr: ${form.slice(0, 4)}…`);
      if (!allowedInStdout.includes(secret) && run.stdout.includes(form)) throw new Error(`secret leaked to stdout: ${form.slice(0, 4)}…`);
    }
  }
}
