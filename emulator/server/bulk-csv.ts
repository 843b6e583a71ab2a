import type { FieldValue, PreparedQuery } from '../org/types.js';
import type { BulkNullRendering } from './settings.js';

/** Bulk CSV pages are yielded in chunks of this many bytes at most: big writes, flat memory. */
const CHUNK_BYTES = 256 * 1024;

export interface CsvFormat {
  delimiter: string;
  lineEnding: string;
  nulls: BulkNullRendering;
}

function quote(text: string): string {
  return text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
}

/** Every value double-quoted; datetimes keep the org's `Z` form; null per the null switch. */
function cell(value: FieldValue, nulls: BulkNullRendering): string {
  if (value === null) return nulls === 'quoted' ? '""' : '';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'object') return quote(JSON.stringify(value));
  // JSON writes the digits String() writes, without V8's number-string cache: cached strings of
  // a million distinct numbers would survive young collections and grow the heap with the run.
  if (typeof value === 'number') return `"${JSON.stringify(value)}"`;
  return value ? '"true"' : '"false"';
}

export function csvHeader(query: PreparedQuery, format: CsvFormat): string {
  return query.columns.map((c) => quote(c.path)).join(format.delimiter) + format.lineEnding;
}

/**
 * Chunk buffers of one results page, handed back once the socket has written them: a page of any
 * size uses a few, instead of a new one per chunk that only a garbage collection frees.
 */
export class ChunkPool {
  readonly #free: ArrayBuffer[] = [];
  /** Buffers this pool made: a reply may mix in chunks that are not the pool's to reuse. */
  readonly #own = new WeakSet<ArrayBuffer>();

  take(): Buffer {
    const free = this.#free.pop();
    if (free) return Buffer.from(free);
    const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#own.add(chunk.buffer as ArrayBuffer);
    return chunk;
  }

  give(chunk: Buffer): void {
    // Only whole pool buffers come back (a row longer than a chunk is a Buffer of its own).
    if (chunk.byteOffset === 0 && this.#own.has(chunk.buffer as ArrayBuffer) && this.#free.length < 8) this.#free.push(chunk.buffer as ArrayBuffer);
  }
}

/**
 * One results page: the header row, then `count` rows from `offset`, streamed in big chunks.
 * Each row is encoded into the chunk as soon as it is rendered, so its strings die young instead
 * of piling up in a long string that outlives collections. A yielded chunk belongs to the reader
 * until it gives it back to `pool`.
 */
export function csvPage(query: PreparedQuery, offset: number, count: number, format: CsvFormat, pool = new ChunkPool()): Generator<Buffer> {
  return csvChunks(query, offset, count, format, pool, csvHeader(query, format));
}

/**
 * `prefix`, then `count` rows from `offset`, in chunks from `pool`. With `rowEnds`, each row's
 * end is written there: the bytes of rows 0..i, the prefix not included.
 */
export function* csvChunks(query: PreparedQuery, offset: number, count: number, format: CsvFormat, pool: ChunkPool, prefix = '', rowEnds?: Uint32Array): Generator<Buffer> {
  const { delimiter, lineEnding, nulls } = format;
  let chunk = pool.take();
  let used = 0;
  // Bytes yielded before `chunk`, minus the prefix: where `chunk` starts among the rows.
  let before = 0;
  if (Buffer.byteLength(prefix) > CHUNK_BYTES) {
    yield Buffer.from(prefix, 'utf8');
  } else {
    used = chunk.write(prefix, 0, 'utf8');
    before = -used;
  }
  let written = 0;
  if (count > 0) {
    for (const row of query.rows(offset)) {
      const values = row.values;
      let line = cell(values[0] ?? null, nulls);
      for (let i = 1; i < values.length; i++) line += delimiter + cell(values[i] ?? null, nulls);
      line += lineEnding;
      // Three bytes per UTF-16 unit at most: check the worst case, measure only near the end.
      if (used + line.length * 3 > CHUNK_BYTES) {
        const bytes = Buffer.byteLength(line);
        if (used + bytes > CHUNK_BYTES) {
          if (used > 0) {
            yield chunk.subarray(0, used);
            before += used;
            chunk = pool.take();
          }
          used = 0;
        }
        if (bytes > CHUNK_BYTES) {
          yield Buffer.from(line, 'utf8');
          before += bytes;
          if (rowEnds) rowEnds[written] = before;
          if (++written >= count) break;
          continue;
        }
      }
      used += chunk.write(line, used, 'utf8');
      if (rowEnds) rowEnds[written] = before + used;
      if (++written >= count) break;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}
