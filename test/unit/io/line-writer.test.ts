import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamLineWriter } from '../../../src/io/line-writer.js';
import { createLogger } from '../../../src/io/logger.js';
import { secrets } from '../../../src/core/secrets.js';

describe('StreamLineWriter', () => {
  it('batches small lines into few large writes and keeps their order', async () => {
    const writes: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        writes.push(chunk);
        cb();
      },
    });
    const out = new StreamLineWriter(sink, { chunkBytes: 1024 });
    const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i}}\n`);
    for (const line of lines) await out.write(line);
    await out.writeMessage({ type: 'STATE' });
    await out.flush();
    expect(Buffer.concat(writes).toString()).toBe(`${lines.join('')}{"type":"STATE"}\n`);
    expect(writes.length).toBeLessThan(20);
  });

  it('waits for drain when the reader is slow instead of buffering without bound', async () => {
    const pipe = new PassThrough({ highWaterMark: 16 });
    const out = new StreamLineWriter(pipe, { chunkBytes: 1 });
    let resolved = false;
    const pending = out.write('x'.repeat(100) + '\n').then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    pipe.resume();
    await pending;
    expect(resolved).toBe(true);
  });

  it('turns a closed stdout (EPIPE) into one output_closed error', async () => {
    const sink = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const out = new StreamLineWriter(sink, { chunkBytes: 1 });
    await out.write('a\n').catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    await expect(out.write('b\n')).rejects.toMatchObject({ code: 'TAP_OUTPUT_CLOSED', kind: 'output_closed' });
  });
});

describe('logger', () => {
  it('filters by level and redacts every line', () => {
    secrets.register('logger-secret-value');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l), timestamps: false });
    logger.debug('hidden');
    logger.info('token logger-secret-value used');
    logger.error('multi\nline');
    expect(lines).toEqual(['INFO token *** used\n', 'ERROR multi\n    line\n']);
  });
});
