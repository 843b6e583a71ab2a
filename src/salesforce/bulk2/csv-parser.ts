/**
 * A streaming scanner for the CSV Bulk API 2.0 writes (RFC 4180 with a configurable delimiter):
 * values quoted or not, `""` inside quotes for a quote, line breaks inside quoted values, LF or
 * CRLF record ends. It finds field boundaries in bytes and never builds strings, so the JSON
 * path can copy bytes straight out and the object path decodes only what it keeps.
 *
 * Chunks may split a record anywhere (inside a `""` escape, a CRLF or a multi-byte UTF-8
 * sequence): the unfinished record's bytes are joined with the head of the next chunk and
 * scanned again; the rest of that chunk is scanned where it is, not copied. Inside quotes the
 * bytes are read four at a time while none needs a second look.
 * NUL bytes are removed before scanning (Salesforce data sometimes carries them; Airbyte strips
 * them too) and a UTF-8 byte-order mark at the start of the body is skipped.
 *
 * Usage: `feed(chunk)`, then `nextRecord()` until it returns false; the fields of the current
 * record are `fieldStart[i]..fieldEnd[i]` in `buffer` (the bytes between the quotes, escapes
 * not undone) with `fieldFlags[i]` telling what the bytes hold. `finish()` at the end of the body.
 */
import { TapError } from '../../core/errors.js';

/** The field holds `""` escapes (undo them when decoding). */
export const FIELD_ESCAPED_QUOTE = 1;
/** The field holds a backslash or a byte below 0x20 (JSON must escape them). */
export const FIELD_CONTROL = 2;
/** The field holds bytes ≥ 0x80 (UTF-8 beyond ASCII). */
export const FIELD_NON_ASCII = 4;

/** Salesforce's `columnDelimiter` names and the byte each stands for. */
export const COLUMN_DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const NO_BYTES = Buffer.alloc(0);
/** How much of a new chunk is joined to an unfinished record: longer than most whole records. */
const BRIDGE_BYTES = 16 * 1024;
/** Class of a byte inside quotes: 0 plain, IS_QUOTE, or the FIELD_ flag it sets. */
const IS_QUOTE = 0x80;
const BYTE_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  BYTE_CLASS[b] = b === QUOTE ? IS_QUOTE : b < 0x20 || b === BACKSLASH ? FIELD_CONTROL : b >= 0x80 ? FIELD_NON_ASCII : 0;
}

/**
 * Whether a little-endian 32-bit word holds a byte that is `"`, `\`, below 0x20 or above 0x7f
 * (the SWAR zero-byte and less-than tests: exact for "any byte", not for which one).
 */
function hasSpecialByte(word: number): boolean {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  return ((word | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((word - 0x20202020) & ~word)) & 0x80808080) !== 0;
}

export class CsvScanner {
  /** The bytes the current fields point into; replaced on every `feed`. */
  buffer: Buffer = NO_BYTES;
  fieldStart = new Int32Array(64);
  fieldEnd = new Int32Array(64);
  fieldFlags = new Uint8Array(64);
  /** Fields in the current record. */
  fieldCount = 0;
  /** Byte range of the current record in `buffer`, line break included. */
  recordStart = 0;
  recordEnd = 0;
  /** Where the next record starts in `buffer`. */
  private pos = 0;
  private atBodyStart = true;
  /**
   * A chunk whose head was joined to the previous chunk's unfinished record in `buffer`, where
   * it starts at `nextAt`; scanning moves into it once that record is done.
   */
  private next: Buffer | undefined;
  private nextAt = 0;
  /** `buffer` as a DataView, for reading it four bytes at a time. */
  private view: DataView<ArrayBufferLike> = new DataView(NO_BYTES.buffer, 0, 0);
  private viewOf: Buffer = NO_BYTES;
  private finishing = false;
  private readonly delimiter: number;

  constructor(delimiter = ',') {
    const code = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
    if (code < 0 || code > 0x7f || code === QUOTE || code === LF || code === CR) {
      throw new TapError('TAP_CSV_DELIMITER', `Expected the CSV column delimiter to be one ASCII character other than a quote or line break, got ${JSON.stringify(delimiter)}.`, { kind: 'config' });
    }
    this.delimiter = code;
  }

  /** Adds the next chunk of the body; the unscanned rest of the previous ones is kept. */
  feed(chunk: Buffer): void {
    let bytes = chunk.indexOf(0) === -1 ? chunk : stripNul(chunk);
    if (this.atBodyStart) {
      const joined = this.pos < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.pos), bytes]) : bytes;
      if (joined.length < 3 && joined.length > 0 && isBomPrefix(joined)) {
        this.buffer = joined;
        this.pos = 0;
        return;
      }
      if (joined.length > 0) this.atBodyStart = false;
      bytes = joined.length >= 3 && joined[0] === 0xef && joined[1] === 0xbb && joined[2] === 0xbf ? joined.subarray(3) : joined;
      this.buffer = bytes;
      this.pos = 0;
      return;
    }
    this.joinPending();
    const rest = this.buffer.length - this.pos;
    if (rest > 0 && bytes.length > BRIDGE_BYTES + rest) {
      // Only the unfinished record and the chunk's head are joined; the rest is scanned in place.
      this.buffer = Buffer.concat([this.buffer.subarray(this.pos), bytes.subarray(0, BRIDGE_BYTES)]);
      this.next = bytes;
      this.nextAt = rest;
    } else {
      this.buffer = rest > 0 ? Buffer.concat([this.buffer.subarray(this.pos), bytes], rest + bytes.length) : bytes;
    }
    this.pos = 0;
  }

  /**
   * Scans the next complete record into the field arrays. False when the bytes left do not hold
   * a complete record yet (they stay for the next `feed`).
   */
  nextRecord(): boolean {
    const next = this.next;
    if (next !== undefined) {
      // Once the record that straddled the chunks is done, scanning goes on in the chunk itself.
      if (this.pos < this.nextAt && this.scanRecord()) return true;
      this.joinPending();
    }
    return this.scanRecord();
  }

  /** Drops the bridge: joins a record longer than it with the whole chunk it runs into. */
  private joinPending(): void {
    const next = this.next;
    if (next === undefined) return;
    if (this.pos >= this.nextAt) {
      this.buffer = next;
      this.pos -= this.nextAt;
    } else {
      this.buffer = Buffer.concat([this.buffer.subarray(this.pos, this.nextAt), next]);
      this.pos = 0;
    }
    this.next = undefined;
  }

  private scanRecord(): boolean {
    const buf = this.buffer;
    const len = buf.length;
    if (this.viewOf !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, len);
      this.viewOf = buf;
    }
    const view = this.view;
    const delimiter = this.delimiter;
    let i = this.pos;
    if (i >= len) return false;
    let count = 0;
    let starts = this.fieldStart;
    let ends = this.fieldEnd;
    let fieldFlags = this.fieldFlags;
    for (;;) {
      if (count === starts.length) {
        this.grow();
        starts = this.fieldStart;
        ends = this.fieldEnd;
        fieldFlags = this.fieldFlags;
      }
      let flags = 0;
      let start: number;
      let end: number;
      let b = buf[i];
      if (b === QUOTE) {
        start = ++i;
        for (;;) {
          // Four bytes at a time while none is a quote, a backslash, a control byte or non-ASCII.
          while (i + 4 <= len && !hasSpecialByte(view.getUint32(i, true))) i += 4;
          if (i >= len) return false;
          const byteClass = BYTE_CLASS[buf[i] as number] as number;
          if (byteClass === 0) {
            i++;
            continue;
          }
          if (byteClass === IS_QUOTE) {
            if (i + 1 >= len) {
              if (!this.finishing) return false;
              break;
            }
            if (buf[i + 1] !== QUOTE) break;
            flags |= FIELD_ESCAPED_QUOTE;
            i += 2;
            continue;
          }
          flags |= byteClass;
          i++;
        }
        end = i++;
        if (i < len) {
          b = buf[i];
          if (b !== delimiter && b !== LF && b !== CR) {
            throw new TapError('TAP_CSV_MALFORMED', 'The Bulk API result is not valid CSV: a quoted value is followed by text before the next delimiter. Re-run the sync; report the object if it persists.', {
              kind: 'salesforce',
              detail: `byte ${i} of the page chunk`,
            });
          }
        }
      } else {
        // Unquoted: Salesforce writes nulls as empty unquoted fields; other text is taken as is.
        start = i;
        while (i < len && (b = buf[i]!) !== delimiter && b !== LF && b !== CR) {
          if (b < 0x20 || b === BACKSLASH || b === QUOTE) flags |= FIELD_CONTROL;
          else if (b >= 0x80) flags |= FIELD_NON_ASCII;
          i++;
        }
        end = i;
      }
      starts[count] = start;
      ends[count] = end;
      fieldFlags[count] = flags;
      count++;
      if (i >= len) {
        if (!this.finishing) return false;
        break;
      }
      b = buf[i];
      if (b === delimiter) {
        i++;
        if (i >= len && !this.finishing) return false;
        continue;
      }
      if (b === LF) {
        i++;
        break;
      }
      // CR: a record end only as part of CRLF (Salesforce writes LF or CRLF, never a lone CR).
      if (i + 1 >= len) {
        if (!this.finishing) return false;
        i++;
        break;
      }
      if (buf[i + 1] === LF) {
        i += 2;
        break;
      }
      throw new TapError('TAP_CSV_MALFORMED', 'The Bulk API result is not valid CSV: a carriage return outside quotes is not followed by a line feed. Re-run the sync; report the object if it persists.', {
        kind: 'salesforce',
        detail: `byte ${i} of the page chunk`,
      });
    }
    this.fieldCount = count;
    this.recordStart = this.pos;
    this.recordEnd = i;
    this.pos = i;
    return true;
  }

  /**
   * Called once the body has ended: scans the last record when it lacks its line break. Throws
   * TAP_CSV_TRUNCATED when the body stops inside a quoted value.
   */
  finishRecord(): boolean {
    this.joinPending();
    if (this.pos >= this.buffer.length) return false;
    this.finishing = true;
    const pos = this.pos;
    if (this.nextRecord()) return true;
    throw truncated(this.buffer.length - pos);
  }

  /** Bytes held back as the start of an unfinished record. */
  get pendingBytes(): number {
    return this.buffer.length - this.pos + (this.next ? this.next.length - (this.buffer.length - this.nextAt) : 0);
  }

  private grow(): void {
    const size = this.fieldStart.length * 2;
    const start = new Int32Array(size);
    const end = new Int32Array(size);
    const flags = new Uint8Array(size);
    start.set(this.fieldStart);
    end.set(this.fieldEnd);
    flags.set(this.fieldFlags);
    this.fieldStart = start;
    this.fieldEnd = end;
    this.fieldFlags = flags;
  }
}

export function truncated(pendingBytes: number): TapError {
  return new TapError('TAP_CSV_TRUNCATED', 'A Bulk API result page ended in the middle of a record; the page will be fetched again.', {
    kind: 'transient',
    retryable: true,
    detail: `${pendingBytes} bytes of an unfinished record at the end of the page`,
  });
}

function isBomPrefix(bytes: Buffer): boolean {
  return bytes[0] === 0xef && (bytes.length < 2 || bytes[1] === 0xbb);
}

function stripNul(chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(chunk.length);
  let o = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i] as number;
    if (b !== 0) out[o++] = b;
  }
  return out.subarray(0, o);
}
