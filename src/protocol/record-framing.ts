/**
 * Wraps records into protocol envelopes on the hot path: a fixed prefix and suffix per stream
 * around each record's JSON. Records already serialized by the byte path (`RecordBatch.json`,
 * one JSON object per line) are spliced with Buffer copies, never parsed again; batches the byte
 * path wrote inside the envelope already (`framed`) pass through as they are.
 */
import type { RecordBatch, RecordEnvelope } from '../sync/events.js';

const NEWLINE = 0x0a;

export function frameRecords(batch: RecordBatch, envelope: RecordEnvelope): Buffer | string {
  if (batch.framed && batch.json) return batch.json;
  const prefix = envelope.prefix;
  const suffix = envelope.suffix();
  if (batch.json) {
    const head = Buffer.from(prefix);
    const tail = Buffer.from(`${suffix}\n`);
    const json = batch.json;
    const out = Buffer.allocUnsafe(json.length + batch.count * (head.length + tail.length));
    let at = 0;
    let from = 0;
    while (from < json.length) {
      let nl = json.indexOf(NEWLINE, from);
      if (nl < 0) nl = json.length;
      if (nl > from) {
        at += head.copy(out, at);
        at += json.copy(out, at, from, nl);
        at += tail.copy(out, at);
      }
      from = nl + 1;
    }
    return out.subarray(0, at);
  }
  let text = '';
  for (const record of batch.objects ?? []) text += `${prefix}${JSON.stringify(record)}${suffix}\n`;
  return text;
}
