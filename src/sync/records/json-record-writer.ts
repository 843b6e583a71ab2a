/**
 * The fast path: Bulk CSV bytes → JSON lines, with no JS string or object per field. Output is
 * byte for byte `JSON.stringify` of the record the object path builds (a test holds it to that):
 *
 * - values already in their JSON form are copied: ASCII and valid UTF-8 text (escaping `"`, `\`
 *   and control bytes as `JSON.stringify` does), `true`/`false`, numbers already written the
 *   way JavaScript prints them, canonical `…T…Z` datetimes, dates and times;
 * - everything else (`100.50`, `+0000` datetimes, invalid UTF-8, unparseable text) is decoded
 *   and goes through the very converter the object path uses, then `JSON.stringify`.
 *
 * Keys are encoded once. UTF-8 passes through untouched, so nothing is decoded or re-encoded.
 * Given the protocol's envelope, each line is the whole message around the record.
 */
import { isUtf8 } from 'node:buffer';
import type { ValueKind } from '../../catalog/types.js';
import { FIELD_CONTROL, FIELD_ESCAPED_QUOTE, FIELD_NON_ASCII, type CsvScanner } from '../../salesforce/bulk2/csv-parser.js';
import type { RecordEnvelope } from '../events.js';
import type { RecordShape } from './record-converter.js';
import { fromText, type ValueIssues } from './value-kinds.js';

const K_STRING = 0;
const K_BOOLEAN = 1;
const K_INTEGER = 2;
const K_NUMBER = 3;
const K_DATETIME = 4;
const K_DATE = 5;
const K_TIME = 6;

function kindCode(kind: ValueKind): number {
  switch (kind) {
    case 'boolean':
      return K_BOOLEAN;
    case 'integer':
      return K_INTEGER;
    case 'number':
      return K_NUMBER;
    case 'datetime':
      return K_DATETIME;
    case 'date':
      return K_DATE;
    case 'time':
      return K_TIME;
    default:
      return K_STRING;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const HEX = '0123456789abcdef';
/** Text at most this long is copied byte by byte; longer text with one native copy. */
const NATIVE_COPY_MIN = 48;

/**
 * One value slot of the output: a plain column, or the start/end of a compound (whose
 * components follow as slots of their own).
 */
interface Slot {
  /** Encoded `{"Name":` / `,"Name":` as little-endian 32-bit words, zero-padded. */
  key: Uint32Array;
  keyLength: number;
  column: number;
  kind: number;
  kindName: ValueKind;
  /** For a compound: its component columns (null when all are empty) and slots. */
  components?: Slot[];
}

export class JsonRecordWriter {
  private out: Buffer = Buffer.alloc(0);
  private view = new DataView(this.out.buffer, this.out.byteOffset, 0);
  private o = 0;
  private readonly slots: Slot[];
  /** Upper bound on what a record writes besides 6 bytes per input byte. */
  private readonly fixedBytes: number;
  /** What the current record may still need: converted values may outgrow their text (`1e300`). */
  private recordReserve = 0;
  private sizeHint = 1 << 16;
  /** The protocol message's start before each record (none: bare records), as words like keys. */
  private readonly prefix: Uint32Array | undefined;
  private readonly prefixLength: number;
  /** What ends each record's line: the message's end for this batch and '\n', as words. */
  private suffix = toWords(Buffer.from('\n'));
  private suffixLength = 1;
  /** The buffer whose bytes from the first record that needed it to `utf8To` are valid UTF-8 (-1: not valid). */
  private utf8Of: Buffer | undefined;
  private utf8To = -1;

  constructor(
    shape: RecordShape,
    private readonly issues: ValueIssues,
    private readonly envelope?: RecordEnvelope,
  ) {
    const prefix = envelope ? Buffer.from(envelope.prefix) : undefined;
    this.prefix = prefix ? toWords(prefix) : undefined;
    this.prefixLength = prefix?.length ?? 0;
    // The record's braces, the prefix and the suffix (and their word padding) come on top of the keys.
    let fixed = 2 + this.prefixLength + 3 + 3;
    const slot = (name: string, first: boolean, column: number): Slot => {
      const key = Buffer.from(`${first ? '{' : ','}${JSON.stringify(name)}:`);
      const kindName = shape.columns[column]?.kind;
      if (kindName === undefined) throw new RangeError(`Output refers to column ${column}, but there are ${shape.columns.length} columns`);
      fixed += key.length + 3 + 4;
      return { key: toWords(key), keyLength: key.length, column, kind: kindCode(kindName), kindName };
    };
    this.slots = shape.output.map((out, index) => {
      if ('column' in out) return slot(out.name, index === 0, out.column);
      const entries = Object.entries(out.components);
      const components = entries.map(([key, column], i) => slot(key, i === 0, column));
      const key = Buffer.from(`${index === 0 ? '{' : ','}${JSON.stringify(out.name)}:`);
      fixed += key.length + 3 + 5;
      return { key: toWords(key), keyLength: key.length, column: -1, kind: K_STRING, kindName: 'object', components };
    });
    if (this.slots.length === 0) fixed += 1;
    this.fixedBytes = fixed;
  }

  /** Starts a new output, sized for about `inputBytes` of CSV once the first record comes. */
  begin(inputBytes: number): void {
    this.setOut(Buffer.alloc(0));
    this.o = 0;
    this.sizeHint = Math.max(1 << 16, Math.ceil(inputBytes * (this.envelope ? 2.6 : 2.5)));
    if (this.envelope) {
      const suffix = Buffer.from(`${this.envelope.suffix()}\n`);
      this.suffix = toWords(suffix);
      this.suffixLength = suffix.length;
    }
  }

  /** The JSON lines written since `begin`. */
  take(): Buffer {
    const written = this.out.subarray(0, this.o);
    this.setOut(Buffer.alloc(0));
    this.o = 0;
    return written;
  }

  /** Writes the scanner's current record as one JSON line. */
  writeRecord(scanner: CsvScanner): void {
    this.recordReserve = 6 * (scanner.recordEnd - scanner.recordStart) + this.fixedBytes + this.suffixLength;
    this.reserve(this.recordReserve);
    if (this.prefix) this.writeWords(this.prefix, this.prefixLength);
    const slots = this.slots;
    if (slots.length === 0) this.out[this.o++] = 0x7b;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      this.writeKey(slot);
      const components = slot.components;
      if (components === undefined) {
        this.writeValue(scanner, slot);
        continue;
      }
      let present = false;
      for (let c = 0; c < components.length; c++) {
        const column = (components[c] as Slot).column;
        if (scanner.fieldStart[column] !== scanner.fieldEnd[column]) {
          present = true;
          break;
        }
      }
      if (!present) {
        this.writeNull();
        continue;
      }
      for (let c = 0; c < components.length; c++) {
        const component = components[c] as Slot;
        this.writeKey(component);
        this.writeValue(scanner, component);
      }
      this.out[this.o++] = 0x7d;
    }
    this.out[this.o++] = 0x7d;
    this.writeWords(this.suffix, this.suffixLength);
  }

  private writeKey(slot: Slot): void {
    this.writeWords(slot.key, slot.keyLength);
  }

  /** Constant bytes go out four at a time (the padding is overwritten by what follows). */
  private writeWords(words: Uint32Array, length: number): void {
    const view = this.view;
    const o = this.o;
    for (let k = 0; k < words.length; k++) view.setUint32(o + 4 * k, words[k] as number, true);
    this.o = o + length;
  }

  private setOut(out: Buffer): void {
    this.out = out;
    this.view = new DataView(out.buffer, out.byteOffset, out.length);
  }

  private writeNull(): void {
    const out = this.out;
    out[this.o] = 0x6e;
    out[this.o + 1] = 0x75;
    out[this.o + 2] = 0x6c;
    out[this.o + 3] = 0x6c;
    this.o += 4;
  }

  private writeValue(scanner: CsvScanner, slot: Slot): void {
    const column = slot.column;
    const start = scanner.fieldStart[column] as number;
    const end = scanner.fieldEnd[column] as number;
    if (start === end) {
      this.writeNull();
      return;
    }
    const src = scanner.buffer;
    const flags = scanner.fieldFlags[column] as number;
    switch (slot.kind) {
      case K_STRING:
        if (flags & FIELD_NON_ASCII && !this.isValidUtf8(scanner, start, end)) break;
        if (flags & (FIELD_CONTROL | FIELD_ESCAPED_QUOTE)) this.copyEscaped(src, start, end, (flags & FIELD_ESCAPED_QUOTE) !== 0);
        else this.copyQuoted(src, start, end);
        return;
      case K_BOOLEAN:
        if (flags === 0 && isBooleanText(src, start, end)) {
          this.copy(src, start, end);
          return;
        }
        break;
      case K_INTEGER:
      case K_NUMBER:
        if (flags === 0 && isCanonicalNumber(src, start, end, slot.kind === K_NUMBER)) {
          this.copy(src, start, end);
          return;
        }
        break;
      case K_DATETIME:
        if (flags === 0 && isCanonicalDatetime(src, start, end)) {
          this.copyQuoted(src, start, end);
          return;
        }
        break;
      case K_DATE:
        if (flags === 0 && end - start === 10 && isDigitsWith(src, start, DATE_PATTERN)) {
          this.copyQuoted(src, start, end);
          return;
        }
        break;
      case K_TIME:
        if (flags === 0 && end - start === 13 && isDigitsWith(src, start, TIME_PATTERN)) {
          this.copyQuoted(src, start, end);
          return;
        }
        break;
    }
    this.writeConverted(src, start, end, flags, slot.kindName);
  }

  /**
   * Whether `start..end` of the scanner's buffer is valid UTF-8. The buffer is checked once from
   * the current record up to its last line feed, natively: a valid stretch cut at ASCII bytes (a
   * field's quotes, a line feed) stays valid, so every field inside it is. Fields are checked on
   * their own only in a stretch that is not valid.
   */
  private isValidUtf8(scanner: CsvScanner, start: number, end: number): boolean {
    const src = scanner.buffer;
    if (src !== this.utf8Of) {
      // Records only move forward in a buffer, so no later field starts before this record.
      this.utf8Of = src;
      this.utf8To = Math.max(src.lastIndexOf(0x0a), end);
      if (!isUtf8(src.subarray(scanner.recordStart, this.utf8To))) this.utf8To = -1;
    }
    if (end <= this.utf8To) return true;
    return isUtf8(src.subarray(start, end));
  }

  /** The general route: decode the text, convert it as the object path does, stringify it. */
  private writeConverted(src: Buffer, start: number, end: number, flags: number, kind: ValueKind): void {
    let text = flags & FIELD_NON_ASCII ? src.toString('utf8', start, end) : src.toString('latin1', start, end);
    if (flags & FIELD_ESCAPED_QUOTE) text = text.replaceAll('""', '"');
    const json = JSON.stringify(fromText(kind, text, this.issues));
    this.reserve(3 * json.length + this.recordReserve);
    this.o += this.out.write(json, this.o);
  }

  private copy(src: Buffer, start: number, end: number): void {
    const out = this.out;
    let o = this.o;
    for (let i = start; i < end; i++) out[o++] = src[i] as number;
    this.o = o;
  }

  private copyQuoted(src: Buffer, start: number, end: number): void {
    const out = this.out;
    out[this.o++] = QUOTE;
    if (end - start >= NATIVE_COPY_MIN) {
      this.o += src.copy(out, this.o, start, end);
    } else {
      let o = this.o;
      for (let i = start; i < end; i++) out[o++] = src[i] as number;
      this.o = o;
    }
    out[this.o++] = QUOTE;
  }

  private copyEscaped(src: Buffer, start: number, end: number, escapedQuotes: boolean): void {
    const out = this.out;
    let o = this.o;
    out[o++] = QUOTE;
    for (let i = start; i < end; i++) {
      const b = src[i] as number;
      if (b >= 0x20 && b !== QUOTE && b !== BACKSLASH) {
        out[o++] = b;
      } else if (b === QUOTE) {
        out[o++] = BACKSLASH;
        out[o++] = QUOTE;
        // Inside quotes every quote is the first of a `""` pair.
        if (escapedQuotes) i++;
      } else if (b === BACKSLASH) {
        out[o++] = BACKSLASH;
        out[o++] = BACKSLASH;
      } else {
        out[o++] = BACKSLASH;
        switch (b) {
          case 0x08:
            out[o++] = 0x62;
            break;
          case 0x09:
            out[o++] = 0x74;
            break;
          case 0x0a:
            out[o++] = 0x6e;
            break;
          case 0x0c:
            out[o++] = 0x66;
            break;
          case 0x0d:
            out[o++] = 0x72;
            break;
          default:
            out[o++] = 0x75;
            out[o++] = ZERO;
            out[o++] = ZERO;
            out[o++] = HEX.charCodeAt(b >> 4);
            out[o++] = HEX.charCodeAt(b & 15);
        }
      }
    }
    out[o++] = QUOTE;
    this.o = o;
  }

  private reserve(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.o + bytes, this.sizeHint));
    this.out.copy(grown, 0, 0, this.o);
    this.setOut(grown);
  }
}

function toWords(bytes: Buffer): Uint32Array {
  const padded = Buffer.alloc(Math.ceil(bytes.length / 4) * 4);
  bytes.copy(padded);
  const words = new Uint32Array(padded.length / 4);
  for (let k = 0; k < words.length; k++) words[k] = padded.readUInt32LE(4 * k);
  return words;
}

function isBooleanText(src: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length === 4) return src[start] === 0x74 && src[start + 1] === 0x72 && src[start + 2] === 0x75 && src[start + 3] === 0x65;
  return length === 5 && src[start] === 0x66 && src[start + 1] === 0x61 && src[start + 2] === 0x6c && src[start + 3] === 0x73 && src[start + 4] === 0x65;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= ZERO && b <= NINE;
}

/**
 * Whether the text is exactly what `JSON.stringify(Number(text))` prints: no `+`, no leading or
 * trailing zeros, no exponent, no `-0`, at most 15 characters (so at most 15 significant digits,
 * which a double always holds exactly), and not a small fraction JavaScript would print with an
 * exponent. Anything else takes the general route.
 */
function isCanonicalNumber(src: Buffer, start: number, end: number, allowFraction: boolean): boolean {
  if (end - start > 15) return false;
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  if (i === end) return false;
  const leadingZero = src[i] === ZERO;
  if (leadingZero) {
    i++;
    if (i === end) return !negative;
  } else {
    if (!isDigit(src[i])) return false;
    while (i < end && isDigit(src[i])) i++;
    if (i === end) return true;
  }
  if (!allowFraction || src[i] !== DOT) return false;
  const fractionStart = ++i;
  while (i < end && isDigit(src[i])) i++;
  if (i !== end || i === fractionStart || src[end - 1] === ZERO) return false;
  if (leadingZero) {
    // 0.000001 prints as written, 0.0000001 as 1e-7: leave five or more zeros to the general route.
    let zeros = 0;
    while (src[fractionStart + zeros] === ZERO) zeros++;
    if (zeros >= 5) return false;
  }
  return true;
}

/** Digit positions marked 0, fixed bytes as their code. */
const DATETIME_PATTERN = [0, 0, 0, 0, 0x2d, 0, 0, 0x2d, 0, 0, 0x54, 0, 0, 0x3a, 0, 0, 0x3a, 0, 0, 0x2e, 0, 0, 0, 0x5a];
const DATE_PATTERN = [0, 0, 0, 0, 0x2d, 0, 0, 0x2d, 0, 0];
const TIME_PATTERN = [0, 0, 0x3a, 0, 0, 0x3a, 0, 0, 0x2e, 0, 0, 0, 0x5a];

function isDigitsWith(src: Buffer, start: number, pattern: readonly number[]): boolean {
  for (let k = 0; k < pattern.length; k++) {
    const expected = pattern[k] as number;
    const b = src[start + k] as number;
    if (expected === 0 ? b < ZERO || b > NINE : b !== expected) return false;
  }
  return true;
}

function isCanonicalDatetime(src: Buffer, start: number, end: number): boolean {
  return end - start === 24 && isDigitsWith(src, start, DATETIME_PATTERN);
}
