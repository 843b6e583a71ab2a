/**
 * Bulk query results rendered while their job runs (the `bulkResultSpoolMb` setting), as
 * Salesforce writes a job's result files before it reports JobComplete. The emulator then spends
 * its CPU while the client waits on the job, not while it downloads: on a machine the emulator
 * shares with the client, rendering at download time made the emulator what a benchmark measured.
 *
 * A job's rows are rendered in parts of `bulkResultPageRows` (what one `resultPages` URL covers),
 * lowest part first across jobs, then in creation order, in short slices between requests. A part
 * is dropped once a reply has sent its last row, and rendering pauses while the spool holds the
 * setting's MB. What a request needs that is not rendered is rendered for it as before; so is
 * everything once the org changes (its values would read otherwise now) or the CSV format does.
 * Where render threads are given, parts of jobs they can render (their org copy is this org as
 * generated) go to a free thread while this one renders others.
 */
import type { RenderWorkers } from '../render/render-workers.js';
import { ChunkPool, csvChunks, type CsvFormat } from './bulk-csv.js';
import type { BulkJob } from './bulk-jobs.js';

/** The renderer yields to requests this often. */
const SLICE_MS = 8;

type PartState = 'pending' | 'rendering' | 'done' | 'gone';

interface Part {
  readonly index: number;
  /** First row, among the job's. */
  readonly start: number;
  readonly count: number;
  state: PartState;
  chunks: Buffer[];
  /** Where each chunk starts among the part's bytes. */
  chunkStarts: number[];
  /** The bytes of rows 0..i of the part. */
  rowEnds: Uint32Array;
  bytes: number;
  /** Waiters for the part to leave `rendering`. */
  settled: (() => void)[];
}

/** What a render thread needs to prepare a job's query on its copy of the org. */
export interface RenderSource {
  soql: string;
  includeDeleted: boolean;
  /** When the job's query was prepared. */
  preparedAt: number;
}

interface JobSpool {
  readonly job: BulkJob;
  readonly format: CsvFormat;
  /** The org revision the rows are rendered at. */
  readonly revision: number;
  readonly parts: Part[];
  /** Set while render threads may render this job's parts. */
  source: RenderSource | undefined;
}

interface Rendering {
  spool: JobSpool;
  part: Part;
  chunks: Iterator<Buffer>;
}

export interface SpoolOptions {
  maxBytes: () => number;
  partRows: () => number;
  revision: () => number;
  /** False once the job was deleted or aborted: its parts are dropped. */
  live: (job: BulkJob) => boolean;
  /** How long the renderer runs before it yields to requests (it renders one chunk at least). */
  sliceMs?: number;
  /** Render threads, whose org copies are this org at revision 0 (started when first asked for). */
  workers?: (() => RenderWorkers | undefined) | undefined;
}

export class BulkResultSpool {
  readonly #jobs = new Map<string, JobSpool>();
  #bytes = 0;
  #scheduled = false;
  #rendering: Rendering | undefined;
  /** Parts out on render threads. */
  #threaded = 0;

  constructor(private readonly options: SpoolOptions) {}

  /** Bytes of rendered rows held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether rendering is under way (a part started, or a slice scheduled). */
  get busy(): boolean {
    return this.#scheduled || this.#rendering !== undefined || this.#threaded > 0;
  }

  /** Starts rendering a new job's rows; with `source`, render threads may take its parts. */
  add(job: BulkJob, format: CsvFormat, source?: RenderSource): void {
    if (this.options.maxBytes() <= 0 || job.fate.kind !== 'complete') return;
    const total = job.query.totalSize();
    if (total === 0) return;
    const size = Math.max(1, this.options.partRows());
    const parts: Part[] = [];
    for (let start = 0; start < total; start += size) {
      const count = Math.min(size, total - start);
      parts.push({ index: parts.length, start, count, state: 'pending', chunks: [], chunkStarts: [], rowEnds: new Uint32Array(0), bytes: 0, settled: [] });
    }
    const revision = this.options.revision();
    this.#jobs.set(job.id, { job, format, revision, parts, source: revision === 0 ? source : undefined });
    this.#schedule();
  }

  /**
   * The body of rows [offset, offset + count) of `job` after `prefix` (the header), from rendered
   * parts where they are, rendered now where not; undefined when nothing of it is rendered.
   */
  serve(job: BulkJob, offset: number, count: number, format: CsvFormat, prefix: string): (() => AsyncGenerator<Buffer>) | undefined {
    const spool = this.#jobs.get(job.id);
    if (!spool || count <= 0) return undefined;
    if (this.#stale(spool) || !sameFormat(spool.format, format)) {
      this.#dropJob(spool);
      return undefined;
    }
    const end = offset + count;
    const parts = spool.parts.filter((p) => p.start < end && p.start + p.count > offset);
    // A part nobody rendered yet is rendered by this request, as it streams: not twice.
    for (const part of parts) if (part.state === 'pending') this.#drop(spool, part);
    if (!parts.some((p) => p.state === 'done' || p.state === 'rendering')) return undefined;
    const query = job.query;
    return async function* (this: BulkResultSpool) {
      yield Buffer.from(prefix, 'utf8');
      for (const part of parts) {
        const from = Math.max(offset, part.start) - part.start;
        const to = Math.min(end, part.start + part.count) - part.start;
        if (part.state === 'rendering') await new Promise<void>((resolve) => part.settled.push(resolve));
        if (part.state !== 'done' || spool.revision !== this.options.revision()) {
          if (part.state !== 'gone') this.#drop(spool, part);
          yield* csvChunks(query, part.start + from, to - from, format, new ChunkPool());
          continue;
        }
        yield* slices(part, from === 0 ? 0 : part.rowEnds[from - 1]!, part.rowEnds[to - 1]!);
        if (to === part.count) this.#drop(spool, part);
      }
    }.bind(this);
  }

  /** Drops the parts holding rows [offset, offset + count) of `job`: a reply got them elsewhere. */
  discard(job: BulkJob, offset: number, count: number): void {
    const spool = this.#jobs.get(job.id);
    for (const part of spool?.parts ?? []) if (part.start < offset + count && part.start + part.count > offset) this.#drop(spool!, part);
  }

  /** Drops everything (the emulator closes). */
  clear(): void {
    for (const spool of [...this.#jobs.values()]) this.#dropJob(spool);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
      if (this.#renderSlice()) this.#schedule();
    });
  }

  /** Renders for a slice; true when there is more to render. */
  #renderSlice(): boolean {
    const until = performance.now() + (this.options.sliceMs ?? SLICE_MS);
    do {
      const current = this.#rendering ?? this.#next();
      if (!current) return false;
      const { spool, part } = current;
      if (part.state === 'gone' || this.#stale(spool)) {
        this.#rendering = undefined;
        if (part.state !== 'gone') this.#dropJob(spool);
        continue;
      }
      const step = current.chunks.next();
      if (step.done) {
        this.#rendering = undefined;
        part.state = 'done';
        settle(part);
        continue;
      }
      this.#append(part, step.value);
    } while (performance.now() < until);
    return true;
  }

  /** Hands pending parts to free render threads. */
  #dispatch(): void {
    if (![...this.#jobs.values()].some((s) => s.source !== undefined)) return;
    const workers = this.options.workers?.();
    while (workers?.idle) {
      const next = this.#pick((spool) => spool.source !== undefined);
      if (!next) return;
      const { spool, part } = next;
      part.state = 'rendering';
      this.#threaded += 1;
      const source = spool.source!;
      workers
        .render({ ...source, total: spool.job.query.totalSize(), start: part.start, count: part.count, format: spool.format })
        .then(
          (rendered) => {
            if (part.state !== 'rendering') return;
            for (const chunk of rendered.chunks) this.#append(part, chunk);
            part.rowEnds = rendered.rowEnds;
            part.state = 'done';
            settle(part);
          },
          () => {
            // This thread cannot render the job: this one will, from this part on.
            spool.source = undefined;
            if (part.state !== 'rendering') return;
            part.state = 'pending';
            settle(part);
          },
        )
        .finally(() => {
          this.#threaded -= 1;
          this.#schedule();
        });
    }
  }

  /** The next part to render: the lowest-numbered pending one, earliest job first; none while the spool is full. */
  #pick(eligible: (spool: JobSpool) => boolean = () => true): { spool: JobSpool; part: Part } | undefined {
    if (this.#bytes >= this.options.maxBytes()) return undefined;
    let best: { spool: JobSpool; part: Part } | undefined;
    for (const spool of [...this.#jobs.values()]) {
      if (this.#stale(spool)) {
        this.#dropJob(spool);
        continue;
      }
      if (!eligible(spool)) continue;
      const part = spool.parts.find((p) => p.state === 'pending');
      if (part && (!best || part.index < best.part.index)) best = { spool, part };
    }
    return best;
  }

  /** The next part this thread renders. */
  #next(): Rendering | undefined {
    const best = this.#pick();
    if (!best) return undefined;
    const { spool, part } = best;
    part.state = 'rendering';
    part.rowEnds = new Uint32Array(part.count);
    // Its own pool: rendered chunks are kept, never handed back.
    const chunks = csvChunks(spool.job.query, part.start, part.count, spool.format, new ChunkPool(), '', part.rowEnds);
    this.#rendering = { spool, part, chunks };
    return this.#rendering;
  }

  /** The org changed since the job's rows were rendered, or the job is gone. */
  #stale(spool: JobSpool): boolean {
    return spool.revision !== this.options.revision() || !this.options.live(spool.job);
  }

  /** A rendered chunk joins its part. */
  #append(part: Part, chunk: Buffer): void {
    part.chunkStarts.push(part.bytes);
    part.chunks.push(chunk);
    part.bytes += chunk.length;
    this.#bytes += chunk.length;
  }

  #drop(spool: JobSpool, part: Part): void {
    if (part.state === 'gone') return;
    part.state = 'gone';
    this.#bytes -= part.bytes;
    part.chunks = [];
    part.chunkStarts = [];
    part.rowEnds = new Uint32Array(0);
    part.bytes = 0;
    settle(part);
    if (spool.parts.every((p) => p.state === 'gone')) this.#jobs.delete(spool.job.id);
    // Room again: rendering goes on.
    this.#schedule();
  }

  #dropJob(spool: JobSpool): void {
    for (const part of spool.parts) this.#drop(spool, part);
    this.#jobs.delete(spool.job.id);
  }
}

function settle(part: Part): void {
  for (const resolve of part.settled.splice(0)) resolve();
}

function sameFormat(a: CsvFormat, b: CsvFormat): boolean {
  return a.delimiter === b.delimiter && a.lineEnding === b.lineEnding && a.nulls === b.nulls;
}

/** Bytes [from, to) of a rendered part, as views of its chunks. */
function* slices(part: Part, from: number, to: number): Generator<Buffer> {
  for (let i = 0; i < part.chunks.length && from < to; i++) {
    const start = part.chunkStarts[i]!;
    const chunk = part.chunks[i]!;
    const end = start + chunk.length;
    if (end <= from) continue;
    yield chunk.subarray(from - start, Math.min(to, end) - start);
    from = Math.min(to, end);
  }
}
