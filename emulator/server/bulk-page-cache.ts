/**
 * Rendered Bulk result pages kept for serving again (the `bulkResultCacheMb` setting): a
 * benchmark that reads the same query many times then measures its client, not the emulator.
 * A page is keyed by everything its bytes depend on, so a hit is byte for byte what rendering
 * would give: the query's meaning and the org revision its rows were fixed at, the revision its
 * values are read at, the page's range and the CSV format. The least recently used pages go
 * first once the cache is over its size.
 */

export interface CachedPage {
  /** The CSV as it was streamed. */
  csv: Buffer[];
  /** The CSV's bytes (what Bulk usage counts, compressed or not). */
  csvBytes: number;
  /** The same body gzipped, once a gzip reply was sent whole. */
  gzip?: Buffer[];
}

export class BulkPageCache {
  readonly #pages = new Map<string, CachedPage>();
  #bytes = 0;

  /** `maxBytes` is read at each store: the setting may change at run time. */
  constructor(private readonly maxBytes: () => number) {}

  get(key: string): CachedPage | undefined {
    const page = this.#pages.get(key);
    if (page) {
      this.#pages.delete(key);
      this.#pages.set(key, page);
    }
    return page;
  }

  putCsv(key: string, csv: Buffer[]): void {
    if (this.#pages.has(key)) return;
    const csvBytes = total(csv);
    this.#pages.set(key, { csv, csvBytes });
    this.#bytes += csvBytes;
    this.#evict();
  }

  putGzip(key: string, gzip: Buffer[]): void {
    const page = this.#pages.get(key);
    if (!page || page.gzip) return;
    page.gzip = gzip;
    this.#bytes += total(gzip);
    this.#evict();
  }

  get bytes(): number {
    return this.#bytes;
  }

  #evict(): void {
    const max = this.maxBytes();
    for (const [key, page] of this.#pages) {
      if (this.#bytes <= max) return;
      this.#pages.delete(key);
      this.#bytes -= page.csvBytes + (page.gzip ? total(page.gzip) : 0);
    }
  }
}

function total(chunks: Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
