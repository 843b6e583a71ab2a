import type { FieldValue, PreparedQuery } from '../org/types.js';
import type { BulkNullRendering } from './settings.js';

/** Bulk CSV pages are yielded in chunks of about this many characters: big writes, flat memory. */
const CHUNK_CHARS = 256 * 1024;

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
  return `"${String(value)}"`;
}

export function csvHeader(query: PreparedQuery, format: CsvFormat): string {
  return query.columns.map((c) => quote(c.path)).join(format.delimiter) + format.lineEnding;
}

/** One results page: the header row, then `count` rows from `offset`, streamed in big chunks. */
export function* csvPage(query: PreparedQuery, offset: number, count: number, format: CsvFormat): Generator<Buffer> {
  const { delimiter, lineEnding, nulls } = format;
  let text = csvHeader(query, format);
  let written = 0;
  if (count > 0) {
    for (const row of query.rows(offset)) {
      const values = row.values;
      text += cell(values[0] ?? null, nulls);
      for (let i = 1; i < values.length; i++) text += delimiter + cell(values[i] ?? null, nulls);
      text += lineEnding;
      if (text.length >= CHUNK_CHARS) {
        yield Buffer.from(text, 'utf8');
        text = '';
      }
      if (++written >= count) break;
    }
  }
  if (text.length > 0) yield Buffer.from(text, 'utf8');
}
