import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { createGzip, gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import type { Reply } from './reply.js';

const gzipAsync = promisify(gzipCallback);

export interface SendOptions {
  gzip: boolean;
  /** Per-connection cap in bytes/s (0 = none). */
  bandwidthBytesPerSec: number;
  /** Stop after this many body bytes: reset the socket, or end the body early (truncation). */
  truncateAfterBytes?: number | undefined;
  truncateMode?: 'reset' | 'end';
}

/** Bandwidth bookkeeping per keep-alive connection: when its next byte may leave. */
const nextFreeAt = new WeakMap<Socket, number>();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function hasBody(reply: Reply): boolean {
  return reply.status !== 204 && reply.status !== 304 && (reply.body !== undefined || reply.stream !== undefined);
}

/** Writes a reply; resolves with the body bytes put on the wire (after compression). */
export async function sendReply(res: ServerResponse, reply: Reply, options: SendOptions): Promise<number> {
  const headers: Record<string, string | number> = { ...reply.headers };
  const compress = options.gzip && hasBody(reply);
  if (compress) {
    headers['Content-Encoding'] = 'gzip';
    headers['Vary'] = 'Accept-Encoding';
  }
  const shaped = options.bandwidthBytesPerSec > 0 || options.truncateAfterBytes !== undefined;

  if (!hasBody(reply)) {
    res.writeHead(reply.status, headers);
    res.end();
    return 0;
  }
  if (reply.body !== undefined) {
    let buffer = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    // Fastest level: the emulator must not be what a benchmark measures.
    if (compress) buffer = await gzipAsync(buffer, { level: 1 });
    headers['Content-Length'] = buffer.length;
    res.writeHead(reply.status, headers);
    if (!shaped) {
      res.end(buffer);
      return buffer.length;
    }
    return writeShaped(res, [buffer], options);
  }
  res.writeHead(reply.status, headers);
  if (compress && reply.gzipped) return writeShaped(res, reply.gzipped(), options);
  const source = reply.stream!();
  if (!compress) return writeShaped(res, source, options, reply.release);
  // Level 1: Bulk pages are large and the emulator serves benchmarks; the ratio barely differs.
  const gzip = createGzip({ level: 1 });
  let stopped = false;
  const pump = async () => {
    try {
      for await (const chunk of source) {
        if (stopped) return;
        // zlib is done with a chunk when its write callback runs: the chunk can then be reused.
        const more = gzip.write(chunk, reply.release && (() => reply.release!(chunk)));
        if (!more) await drainedOrClosed(gzip);
      }
      if (!stopped) gzip.end();
    } catch (error) {
      gzip.destroy(error as Error);
    }
  };
  void pump();
  const kept: Buffer[] | undefined = reply.keepGzipped ? [] : undefined;
  let whole = false;
  // zlib never writes into an output chunk it handed out: keeping them is keeping the body.
  async function* keeping(): AsyncIterable<Buffer> {
    for await (const chunk of gzip) {
      kept!.push(chunk as Buffer);
      yield chunk as Buffer;
    }
    whole = true;
  }
  try {
    const sent = await writeShaped(res, kept ? keeping() : gzip, options);
    if (kept && whole && !res.destroyed && options.truncateAfterBytes === undefined) reply.keepGzipped!(kept);
    return sent;
  } finally {
    stopped = true;
    gzip.destroy();
  }
}

function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

async function writeShaped(
  res: ServerResponse,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: SendOptions,
  release?: (chunk: Buffer) => void,
): Promise<number> {
  let sent = 0;
  const limit = options.truncateAfterBytes;
  const rate = options.bandwidthBytesPerSec;
  const socket = res.socket;
  for await (const whole of chunks) {
    if (res.destroyed) return sent;
    if (release && rate === 0 && limit === undefined) {
      if (!(await write(res, whole, () => release(whole)))) return sent;
      sent += whole.length;
      continue;
    }
    let chunk: Buffer = whole;
    let truncated = false;
    if (limit !== undefined && sent + chunk.length >= limit) {
      chunk = chunk.subarray(0, Math.max(0, limit - sent));
      truncated = true;
    }
    const slice = rate > 0 ? Math.max(1024, Math.floor(rate / 20)) : chunk.length || 1;
    for (let at = 0; at < chunk.length; at += slice) {
      const piece = chunk.subarray(at, at + slice);
      if (rate > 0 && socket) {
        const now = Date.now();
        const freeAt = Math.max(now, nextFreeAt.get(socket) ?? now);
        if (freeAt > now) await sleep(freeAt - now);
        nextFreeAt.set(socket, freeAt + (piece.length / rate) * 1000);
      }
      // The socket writes in order: once the last piece is out, the whole chunk can be reused.
      const last = at + slice >= chunk.length && !truncated;
      if (!(await write(res, piece, release && last ? () => release(whole) : undefined))) return sent;
      sent += piece.length;
    }
    if (truncated) {
      if (options.truncateMode === 'end') {
        // The body stops short: a chunked response ends cleanly, a Content-Length one ends early.
        if (res.hasHeader('Content-Length')) res.socket?.end();
        else res.end();
      } else {
        res.socket?.resetAndDestroy?.();
        res.destroy();
      }
      return sent;
    }
  }
  if (!res.destroyed) res.end();
  return sent;
}

/** Writes with backpressure; false when the client went away. `written` runs once the socket is done with the chunk. */
function write(res: ServerResponse, chunk: Buffer, written?: () => void): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk, written && (() => written()))) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
