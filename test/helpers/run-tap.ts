/**
 * Runs the built CLI (`node dist/src/cli/main.js`) as a child process, or `runCli` in this
 * process (`runTapInProcess`, no build needed), and returns what it did:
 * exit code, raw stdout and stderr, the stdout lines parsed as JSON (when they are), and the
 * messages grouped the way tests ask about them. Files are written to a fresh temp directory and
 * `{file:name}` in an argument is replaced by that file's path. Spawned runs need `npm run build`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
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
  const resolved = resolveArgs(args, dir);
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
  return buildTapRun({ exitCode, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), dir }, options);
}

/**
 * The same run inside this process: `runCli` with an in-memory stdout and the given env, no
 * `dist/` needed. SIGINT/SIGTERM become an aborted signal and the exit code the CLI gives them
 * (130/143); SIGKILL cannot be imitated here. Relative paths resolve against the test's cwd,
 * not `dir` ({file:…} paths are absolute either way).
 */
export async function runTapInProcess(args: string[], options: RunTapOptions = {}): Promise<TapRun> {
  if (options.signal?.name === 'SIGKILL' || options.stdin !== undefined) throw new Error('runTapInProcess: SIGKILL and stdin need the spawned runTap');
  const { runCli } = await import('../../src/cli/run-cli.js');
  const dir = writeFiles(options.files ?? {}, options.dir);
  const out: Buffer[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(Buffer.from(chunk));
      done();
    },
  });
  let stderr = '';
  const controller = new AbortController();
  let signal: NodeJS.Signals | null = null;
  const send = (name: NodeJS.Signals) => {
    if (signal !== null) return;
    signal = name;
    controller.abort(new Error(name));
  };
  const timers = [setTimeout(() => send('SIGTERM'), options.timeoutMs ?? 60_000)];
  if (options.signal?.afterMs !== undefined) timers.push(setTimeout(() => send(options.signal!.name), options.signal.afterMs));
  const exitCode = await runCli(resolveArgs(args, dir), {
    stdout,
    writeStderr: (text) => {
      stderr += text;
      if (options.signal?.whenStderr?.test(stderr)) send(options.signal.name);
    },
    env: { ...options.env },
    signal: controller.signal,
  });
  for (const timer of timers) clearTimeout(timer);
  // The CLI's own exit code for a signal (main.ts): 130 for SIGINT, 143 for SIGTERM.
  const code = signal === null ? exitCode : signal === 'SIGINT' ? 130 : 143;
  return buildTapRun({ exitCode: code, signal: null, stdout: Buffer.concat(out).toString('utf8'), stderr, dir }, options);
}

function resolveArgs(args: string[], dir: string): string[] {
  return args.map((a) => a.replace(/\{file:([^}]+)\}/g, (_, name: string) => join(dir, name)));
}

function buildTapRun(done: Pick<TapRun, 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'dir'>, options: RunTapOptions): TapRun {
  const { stdout, stderr } = done;
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
    ...done,
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
