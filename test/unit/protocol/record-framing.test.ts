import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AirbyteEncoder } from '../../../src/protocol/airbyte/encoder.js';
import { SingerEncoder } from '../../../src/protocol/singer/encoder.js';
import type { RecordBatch } from '../../../src/sync/events.js';
import { createPageDecoder, type DecoderSpec } from '../../../src/sync/records/page-decoder.js';

const spec: DecoderSpec = {
  columns: [
    { name: 'Id', kind: 'string' },
    { name: 'Amount', kind: 'number' },
    { name: 'Name', kind: 'string' },
  ],
  output: [
    { name: 'Id', column: 0 },
    { name: 'Amount', column: 1 },
    { name: 'Name', column: 2 },
  ],
  mode: 'objects',
};
const page = Buffer.from('"Id","Amount","Name"\n"001A","100.50","Zoë ""Q"" \\"\n"001B",,"Tab\there"\n"001C","7","line\nbreak"\n');

function decodeAll(decoderSpec: DecoderSpec): RecordBatch {
  const decoder = createPageDecoder(decoderSpec);
  const first = decoder.push(page);
  const last = decoder.end();
  expect(last.count).toBe(0);
  return first;
}

const log = () => undefined;

describe('RECORD messages', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-04T05:06:07.890Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['Airbyte', () => new AirbyteEncoder(log)],
    ['Singer', () => new SingerEncoder({ bookmarks: new Map(), log })],
  ])('%s: the same bytes from typed records, from JSON lines and from lines the byte path wrote inside the envelope', (_name, make) => {
    const encoder = make();
    const objects = decodeAll(spec);
    const json = decodeAll({ ...spec, mode: 'json' });
    const framed = decodeAll({ ...spec, mode: 'json', envelope: encoder.envelope('Account') });
    expect(framed.framed).toBe(true);
    expect(json.framed).toBeUndefined();
    const lines = [objects, json, framed].map((batch) => {
      const out = encoder.encode({ kind: 'records', stream: 'Account', batch });
      return Buffer.isBuffer(out) ? out.toString('latin1') : Buffer.from(out as string).toString('latin1');
    });
    expect(lines[1]).toBe(lines[0]);
    expect(lines[2]).toBe(lines[0]);
    const messages = Buffer.from(lines[0]!, 'latin1').toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(messages).toHaveLength(3);
    expect(JSON.stringify(messages[0])).toContain('"Name":"Zoë \\"Q\\" \\\\"');
  });
});
