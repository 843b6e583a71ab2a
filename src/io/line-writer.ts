/**
 * The one writer of stdout. Lines are gathered into large chunks (one write per ~64 KiB instead
 * of one per record) and every write that the stream refuses waits for `drain`, so a slow target
 * slows the tap down instead of growing its memory. A reader that goes away (EPIPE) turns into
 * one `TAP_OUTPUT_CLOSED` error (kind `output_closed`) that the top level exits on quietly.
 */
import type { Writable } from 'node:stream';
import { TapError } from '../core/errors.js';

const DEFAULT_CHUNK_BYTES = 64 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();

export interface MessageWriter {
  /** Queues text or bytes that are already whole '\n'-terminated lines. */
  write(lines: string | Buffer): Promise<void>;
  /** Queues one JSON message as a line. */
  writeMessage(message: object): Promise<void>;
  /** Writes everything queued and waits until the stream accepted it. */
  flush(): Promise<void>;
  /** Bytes handed to the stream so far. */
  readonly bytesWritten: number;
}

export class OutputClosedError extends TapError {
  constructor(cause?: unknown) {
    super('TAP_OUTPUT_CLOSED', 'stdout was closed by the reader; stopping.', { kind: 'output_closed', cause });
    this.name = 'OutputClosedError';
  }
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

export class StreamLineWriter implements MessageWriter {
  readonly #out: Writable;
  readonly #chunkBytes: number;
  #pending: (string | Buffer)[] = [];
  #pendingBytes = 0;
  #bytesWritten = 0;
  #failure: TapError | undefined;
  #drain: Promise<void> | undefined;

  constructor(out: Writable, options: { chunkBytes?: number } = {}) {
    this.#out = out;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    out.on('error', (error: unknown) => {
      this.#failure ??= isClosedPipe(error) ? new OutputClosedError(error) : new TapError('TAP_OUTPUT_FAILED', `Writing to stdout failed: ${(error as Error).message}`, { kind: 'output_closed', cause: error });
    });
  }

  get bytesWritten(): number {
    return this.#bytesWritten + this.#pendingBytes;
  }

  write(lines: string | Buffer): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#pending.push(lines);
    // String length undercounts multi-byte text; it only decides when to flush, so that is fine.
    this.#pendingBytes += lines.length;
    if (this.#pendingBytes >= this.#chunkBytes) return this.flush();
    return this.#drain ?? RESOLVED;
  }

  writeMessage(message: object): Promise<void> {
    return this.write(`${JSON.stringify(message)}\n`);
  }

  async flush(): Promise<void> {
    if (this.#drain) await this.#drain;
    if (this.#failure) throw this.#failure;
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    this.#bytesWritten += this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    let accepted: boolean;
    try {
      accepted = this.#out.write(chunk);
    } catch (error) {
      this.#failure ??= new OutputClosedError(error);
      throw this.#failure;
    }
    if (!accepted) {
      this.#drain = new Promise<void>((resolve) => {
        const done = (): void => {
          this.#out.off('drain', done);
          this.#out.off('close', done);
          this.#out.off('error', done);
          this.#drain = undefined;
          resolve();
        };
        this.#out.on('drain', done);
        this.#out.on('close', done);
        this.#out.on('error', done);
      });
      await this.#drain;
      if (this.#failure) throw this.#failure;
    }
  }
}
