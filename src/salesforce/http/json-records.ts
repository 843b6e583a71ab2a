/**
 * A JSON reply whose `records` array is kept as bytes, each record parsed when it is read.
 *
 * A REST query page of 2,000 wide rows is several MB of JSON. Parsed whole, its tree (tens of MB)
 * stays alive while the page is converted, long enough to be promoted to V8's old generation,
 * which then grows to several times the live set between full collections: a REST read of all
 * Account columns peaked near 300 MB. Parsed one record at a time, each tree dies young.
 *
 * The split runs where the whole body is read (inside the retry boundary): it walks the body's
 * structure, so a reply that stops short is caught there and fetched again, like any broken
 * reply. What it checks is structure only; a record's own syntax is checked when it is parsed.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The records of a split reply, in order; each is parsed from its bytes when read. */
export class JsonRecords implements Iterable<Record<string, unknown>> {
  readonly #bytes: Buffer;
  /** Start and end byte of each record, in pairs. */
  readonly #ranges: number[];

  constructor(bytes: Buffer, ranges: number[]) {
    this.#bytes = bytes;
    this.#ranges = ranges;
  }

  get length(): number {
    return this.#ranges.length / 2;
  }

  at(index: number): Record<string, unknown> | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return JSON.parse(this.#bytes.toString('utf8', this.#ranges[2 * index], this.#ranges[2 * index + 1])) as Record<string, unknown>;
  }

  *[Symbol.iterator](): Iterator<Record<string, unknown>> {
    for (let i = 0; i < this.length; i += 1) yield this.at(i)!;
  }

  toJSON(): Record<string, unknown>[] {
    return [...this];
  }
}

function stopsShort(): SyntaxError {
  return new SyntaxError('Unexpected end of JSON input');
}

function unexpected(bytes: Buffer, at: number): SyntaxError {
  return at >= bytes.length ? stopsShort() : new SyntaxError(`Unexpected ${JSON.stringify(String.fromCharCode(bytes[at]!))} in JSON at position ${at}`);
}

function skipSpace(bytes: Buffer, at: number): number {
  let i = at;
  for (let c = bytes[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = bytes[++i]);
  return i;
}

/** The index after the string opening at `at`; a quote after an odd run of backslashes is escaped. */
function skipString(bytes: Buffer, at: number): number {
  for (let from = at + 1; ; ) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) throw stopsShort();
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function isValueEnd(c: number | undefined): boolean {
  return c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index after the value starting at `at`: strings and containers by their nesting, scalars up to what follows them. */
function skipValue(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first === undefined) throw stopsShort();
  if (first === QUOTE) return skipString(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = at;
    while (i < bytes.length && !isValueEnd(bytes[i])) i += 1;
    // A scalar is never last in a reply that is an object: its end is the end of the bytes only when they stop short.
    if (i >= bytes.length) throw stopsShort();
    return i;
  }
  let depth = 0;
  for (let i = at; i < bytes.length; i += 1) {
    const c = bytes[i];
    if (c === QUOTE) i = skipString(bytes, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  throw stopsShort();
}

/** The array opening at `at`: its elements' byte ranges and the index after it. */
function splitArray(bytes: Buffer, at: number): { ranges: number[]; end: number } {
  const ranges: number[] = [];
  let i = skipSpace(bytes, at + 1);
  if (bytes[i] === CLOSE_BRACKET) return { ranges, end: i + 1 };
  for (;;) {
    const end = skipValue(bytes, i);
    ranges.push(i, end);
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
    else if (bytes[i] === CLOSE_BRACKET) return { ranges, end: i + 1 };
    else throw unexpected(bytes, i);
  }
}

/**
 * The reply's JSON with its top-level `records` array as a `JsonRecords`, when it is an object
 * holding one; any other reply is parsed whole. Throws a SyntaxError as `JSON.parse` would.
 */
export function parseSplittingRecords(bytes: Buffer): unknown {
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) return JSON.parse(bytes.toString('utf8'));
  const others: string[] = [];
  let records: JsonRecords | undefined;
  i = skipSpace(bytes, i + 1);
  if (bytes[i] !== CLOSE_BRACE) {
    for (;;) {
      if (bytes[i] !== QUOTE) throw unexpected(bytes, i);
      const keyEnd = skipString(bytes, i);
      const member = i;
      i = skipSpace(bytes, keyEnd);
      if (bytes[i] !== COLON) throw unexpected(bytes, i);
      i = skipSpace(bytes, i + 1);
      if (bytes[i] === OPEN_BRACKET && bytes.toString('utf8', member, keyEnd) === '"records"') {
        const array = splitArray(bytes, i);
        records = new JsonRecords(bytes, array.ranges);
        i = array.end;
      } else {
        const end = skipValue(bytes, i);
        others.push(bytes.toString('utf8', member, end));
        i = end;
      }
      i = skipSpace(bytes, i);
      if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
      else if (bytes[i] === CLOSE_BRACE) break;
      else throw unexpected(bytes, i);
    }
  }
  const after = skipSpace(bytes, i + 1);
  if (after < bytes.length) throw unexpected(bytes, after);
  const value = JSON.parse(`{${others.join(',')}}`) as Record<string, unknown>;
  if (records) value.records = records;
  return value;
}
