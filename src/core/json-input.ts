/**
 * The one reader of JSON the user hands the tap: the config, the catalog and the state, from a
 * file or from stdin (`-`). Every input is bounded before it is parsed, in bytes and in nesting
 * depth, so a hostile or broken file ends in one line naming the input and the limit instead of
 * an out-of-memory crash or "Maximum call stack size exceeded" deep in a validator. Parser
 * messages are never repeated: they quote file content, which may hold secrets.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './errors.js';

export type JsonInputKind = 'config' | 'catalog' | 'state';

export interface JsonInputLimits {
  /** Bytes of text at most. */
  maxBytes: number;
  /** Nesting levels of arrays and objects at most (`{}` is 1, `{"a":[]}` is 2). */
  maxDepth: number;
}

export interface JsonInputSource {
  kind: JsonInputKind;
  /** A file path, or `-` for stdin. */
  path: string;
  /** What `-` reads; without it `-` is refused. */
  stdin?: Readable;
  limits?: Partial<JsonInputLimits>;
}

/** The limits of one kind of input (src/core/defaults.ts), with overrides. */
export function jsonInputLimits(kind: JsonInputKind, overrides: Partial<JsonInputLimits> = {}): JsonInputLimits {
  return { maxBytes: DEFAULTS.jsonInputMaxBytes[kind], maxDepth: DEFAULTS.jsonInputMaxDepth, ...overrides };
}

const CODE_PREFIX: Readonly<Record<JsonInputKind, string>> = { config: 'TAP_CONFIG', catalog: 'TAP_CATALOG', state: 'TAP_STATE' };

/** `the config file ./c.json`, `the state from stdin`: how messages name an input. */
export function describeJsonInput(kind: JsonInputKind, path: string): string {
  return path === '-' ? `the ${kind} from stdin` : `the ${kind} file ${path}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

function tooLarge(kind: JsonInputKind, label: string, limit: number): ConfigError {
  return new ConfigError(
    `${CODE_PREFIX[kind]}_TOO_LARGE`,
    `${capitalized(label)} is larger than ${formatBytes(limit)}, the most a ${kind} may hold: check that it is the right file.`,
  );
}

/**
 * The deepest nesting of `text`, or the first depth past `maxDepth` (the scan stops there).
 * A scan of the raw text, so nothing recursive ever sees an input that is too deep.
 */
export function measureJsonDepth(text: string, maxDepth = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > maxDepth) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Where the parser stopped, from its message, without the content it quotes. */
function parsePosition(text: string, message: string): string {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /position (\d+)/.exec(message);
  if (!position) return /end of JSON input|Unterminated/i.test(message) ? ' (it ends too early)' : '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

/**
 * Parses JSON text of one input within its limits. Returns undefined for empty text (or only
 * whitespace), which each caller decides about: an empty state means none, an empty config is an
 * error. A leading byte-order mark (Windows editors write one) is ignored.
 */
export function parseJsonInput(text: string, input: { kind: JsonInputKind; label: string; limits?: Partial<JsonInputLimits> }): unknown {
  const { kind, label } = input;
  const limits = jsonInputLimits(kind, input.limits);
  if (text.length > limits.maxBytes && Buffer.byteLength(text, 'utf8') > limits.maxBytes) throw tooLarge(kind, label, limits.maxBytes);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return undefined;
  const depth = measureJsonDepth(body, limits.maxDepth);
  if (depth > limits.maxDepth) {
    throw new ConfigError(
      `${CODE_PREFIX[kind]}_TOO_DEEP`,
      `${capitalized(label)} nests arrays and objects more than ${limits.maxDepth} levels deep, the most a ${kind} may: check that it is the right file.`,
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ConfigError(`${CODE_PREFIX[kind]}_INVALID_JSON`, `${capitalized(label)} is not valid JSON${parsePosition(body, (error as Error).message)}.`, {
      detail: (error as Error).name,
    });
  }
}

async function readBounded(chunks: AsyncIterable<Buffer | string>, maxBytes: number, onTooLarge: () => Error): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw onTooLarge();
    parts.push(buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function readFileBounded(path: string, maxBytes: number, onTooLarge: () => Error): Promise<string> {
  const handle = await open(path, 'r');
  try {
    // The size is checked before anything is read, and again while reading (a growing file, a FIFO).
    const { size } = await handle.stat();
    if (size > maxBytes) throw onTooLarge();
    return await readBounded(handle.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 }), maxBytes, onTooLarge);
  } finally {
    await handle.close();
  }
}

/**
 * Reads one JSON input from its file or stdin and parses it within its limits. Returns
 * undefined when the input is empty.
 */
export async function readJsonInput(source: JsonInputSource): Promise<unknown> {
  const { kind, path } = source;
  const label = describeJsonInput(kind, path);
  const limits = jsonInputLimits(kind, source.limits);
  const onTooLarge = (): Error => tooLarge(kind, label, limits.maxBytes);
  let text: string;
  try {
    if (path === '-') {
      if (source.stdin === undefined) throw new Error('stdin is not available here');
      text = await readBounded(source.stdin, limits.maxBytes, onTooLarge);
    } else {
      text = await readFileBounded(path, limits.maxBytes, onTooLarge);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(`${CODE_PREFIX[kind]}_UNREADABLE`, `Cannot read ${label}: ${reason}.`, { cause: error });
  }
  return parseJsonInput(text, { kind, label, limits });
}
