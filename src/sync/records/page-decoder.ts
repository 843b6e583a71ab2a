/**
 * Decodes one Bulk API 2.0 result page (CSV, streamed in chunks) into a stream's records.
 *
 * ```ts
 * const decoder = createPageDecoder(spec, { skip, issues });
 * for await (const chunk of response.body) emit(decoder.push(chunk));
 * emit(decoder.end());
 * ```
 *
 * - `spec.columns`: the expected header, in SOQL SELECT order. Every page repeats the header;
 *   a page whose header differs throws TAP_CSV_HEADER_MISMATCH.
 * - `spec.output`: record keys in order, each a column or an address/location compound rebuilt
 *   from its component columns (null when every component is null). This is `ReadPlan`'s shape,
 *   so a plan can be passed as a spec.
 * - `spec.mode`: `objects` gives `RecordBatch.objects` (typed records, for per-record logic);
 *   `json` gives `RecordBatch.json`, one JSON line per record, byte-identical to
 *   `JSON.stringify` of the `objects` record but 2–3× faster (no per-field JS values); with
 *   `spec.envelope`, each line is the protocol message around the record (`framed`).
 * - `spec.delimiter`: the job's column delimiter character (default `,`; see COLUMN_DELIMITERS).
 * - `push(chunk)` returns the records completed by the chunk (often 0 for small chunks).
 * - `end()` returns the last record when the body lacks a final line break and throws
 *   TAP_CSV_TRUNCATED (transient, retryable) when the body stops inside a value or a row. An
 *   empty body is a page without rows.
 * - `options.skip`: a page fetched again after a broken connection skips the first `skip` rows
 *   without converting them, so it resumes exactly after the records already emitted.
 * - `options.issues`: counters of values kept as strings (value-kinds.ts); pass one per stream
 *   to total them across pages.
 * - `recordsDecoded`: records emitted so far; `rowsRead` also counts skipped rows, so at the
 *   end it is the page's row count to compare with `Sforce-NumberOfRecords`.
 *
 * A row whose field count differs from the header throws TAP_CSV_MALFORMED.
 */
import { TapError } from '../../core/errors.js';
import type { ValueKind } from '../../catalog/types.js';
import { CsvScanner, FIELD_ESCAPED_QUOTE, FIELD_NON_ASCII, truncated } from '../../salesforce/bulk2/csv-parser.js';
import type { RecordBatch, RecordEnvelope } from '../events.js';
import type { OutputField } from '../read-plan.js';
import { JsonRecordWriter } from './json-record-writer.js';
import { recordConverterFor, type RecordConverter } from './record-converter.js';
import { createValueIssues, type ValueIssues } from './value-kinds.js';

export interface DecoderSpec {
  /** Expected CSV header, in SOQL SELECT order (every page repeats it; it is verified). */
  columns: { name: string; kind: ValueKind }[];
  /** Output record keys in order: a column, or a compound rebuilt from component columns. */
  output: OutputField[];
  mode: 'objects' | 'json';
  /** Column delimiter character; default ','. */
  delimiter?: string;
  /** `json` mode: write each record inside this protocol message (the batch is then `framed`). */
  envelope?: RecordEnvelope;
}

export interface PageDecoderOptions {
  /** Drop the first N rows of the page without converting them. */
  skip?: number;
  /** Where to count values kept as strings; a fresh counter when absent. */
  issues?: ValueIssues;
}

export interface PageDecoder {
  /** The complete records in this chunk (count may be 0). */
  push(chunk: Buffer): RecordBatch;
  /** The rest; throws TAP_CSV_TRUNCATED when the body ended inside a value or a row. */
  end(): RecordBatch;
  /** Records emitted so far (skipped rows not included). */
  readonly recordsDecoded: number;
  /** Data rows read so far, skipped ones included. */
  readonly rowsRead: number;
  readonly issues: ValueIssues;
}

class BulkPageDecoder implements PageDecoder {
  recordsDecoded = 0;
  rowsRead = 0;
  private readonly scanner: CsvScanner;
  private readonly columnCount: number;
  private readonly converter: RecordConverter | undefined;
  private readonly writer: JsonRecordWriter | undefined;
  private readonly fields: string[];
  private headerSeen = false;
  private toSkip: number;
  /** The current buffer as latin1 text, made once per buffer when a record needs it. */
  private text = '';
  private textOf: Buffer | undefined;

  constructor(
    private readonly spec: DecoderSpec,
    readonly issues: ValueIssues,
    skip: number,
  ) {
    this.scanner = new CsvScanner(spec.delimiter ?? ',');
    this.columnCount = spec.columns.length;
    this.fields = new Array<string>(this.columnCount).fill('');
    this.toSkip = skip;
    if (spec.mode === 'json') this.writer = new JsonRecordWriter(spec, issues, spec.envelope);
    else this.converter = recordConverterFor(spec);
  }

  push(chunk: Buffer): RecordBatch {
    this.scanner.feed(chunk);
    return this.drain(false);
  }

  end(): RecordBatch {
    return this.drain(true);
  }

  private drain(final: boolean): RecordBatch {
    const scanner = this.scanner;
    const writer = this.writer;
    const objects: Record<string, unknown>[] | undefined = writer ? undefined : [];
    if (writer) writer.begin(scanner.pendingBytes);
    let count = 0;
    for (;;) {
      if (!scanner.nextRecord()) {
        if (!final || !scanner.finishRecord()) break;
        // A last line without its line break is a whole record only if no value is missing.
        if (scanner.fieldCount < this.columnCount) throw truncated(scanner.recordEnd - scanner.recordStart);
      }
      if (!this.headerSeen) {
        this.checkHeader();
        continue;
      }
      if (scanner.fieldCount !== this.columnCount) throw this.malformedRow();
      this.rowsRead++;
      if (this.toSkip > 0) {
        this.toSkip--;
        continue;
      }
      if (writer) writer.writeRecord(scanner);
      else (objects as Record<string, unknown>[]).push((this.converter as RecordConverter)(this.readFields(), this.issues));
      count++;
    }
    this.recordsDecoded += count;
    if (!writer) return { count, objects };
    return this.spec.envelope ? { count, json: writer.take(), framed: true } : { count, json: writer.take() };
  }

  /** The current record's fields as strings ('' for null): latin1 slices, UTF-8 only where needed. */
  private readFields(): string[] {
    const scanner = this.scanner;
    const buffer = scanner.buffer;
    if (this.textOf !== buffer) {
      this.text = buffer.toString('latin1');
      this.textOf = buffer;
    }
    const text = this.text;
    const fields = this.fields;
    const starts = scanner.fieldStart;
    const ends = scanner.fieldEnd;
    const flags = scanner.fieldFlags;
    for (let i = 0; i < fields.length; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      const f = flags[i] as number;
      if (f === 0) fields[i] = text.slice(start, end);
      else {
        const value = f & FIELD_NON_ASCII ? buffer.toString('utf8', start, end) : text.slice(start, end);
        fields[i] = f & FIELD_ESCAPED_QUOTE ? value.replaceAll('""', '"') : value;
      }
    }
    return fields;
  }

  private checkHeader(): void {
    const scanner = this.scanner;
    const names: string[] = [];
    for (let i = 0; i < scanner.fieldCount; i++) {
      const raw = scanner.buffer.toString('utf8', scanner.fieldStart[i], scanner.fieldEnd[i]);
      names.push(scanner.fieldFlags[i]! & FIELD_ESCAPED_QUOTE ? raw.replaceAll('""', '"') : raw);
    }
    const expected = this.spec.columns.map((c) => c.name);
    if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) {
      throw new TapError('TAP_CSV_HEADER_MISMATCH', 'A Bulk API result page does not have the columns the query selected. Run discovery again if the object changed; otherwise report it.', {
        kind: 'salesforce',
        detail: `expected ${expected.join(',')}; got ${names.join(',')}`,
      });
    }
    this.headerSeen = true;
  }

  private malformedRow(): TapError {
    return new TapError('TAP_CSV_MALFORMED', 'A Bulk API result row does not have as many values as the header has columns. Re-run the sync; report the object if it persists.', {
      kind: 'salesforce',
      detail: `row ${this.rowsRead + 1}: ${this.scanner.fieldCount} values, ${this.columnCount} columns`,
    });
  }
}

export function createPageDecoder(spec: DecoderSpec, options: PageDecoderOptions = {}): PageDecoder {
  const skip = options.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new RangeError(`Expected \`skip\` to be a non-negative integer, got ${skip}`);
  return new BulkPageDecoder(spec, options.issues ?? createValueIssues(), skip);
}
