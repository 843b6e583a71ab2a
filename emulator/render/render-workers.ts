/**
 * Render threads for the result spool: each holds its own copy of the org (built from the same
 * recipe) and renders whole parts, so an emulator on a machine with spare cores renders a job's
 * results on them while the job runs instead of on the thread that serves requests.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CsvFormat } from '../server/bulk-csv.js';
import type { OrgRecipe } from './org-recipe.js';

export interface RenderTask {
  id: number;
  soql: string;
  includeDeleted: boolean;
  /** When the job's query was prepared (relative date literals read this clock). */
  preparedAt: number;
  /** The job's row count, which the thread's copy must agree with. */
  total: number;
  start: number;
  count: number;
  format: CsvFormat;
}

export type RenderReply =
  | { id: number; chunks: { buffer: ArrayBuffer; offset: number; length: number }[]; rowEnds: Uint32Array; error?: undefined }
  | { id: number; error: string };

/** A rendered part: its CSV chunks and where each row ends among their bytes. */
export interface RenderedPart {
  chunks: Buffer[];
  rowEnds: Uint32Array;
}

interface Thread {
  worker: Worker;
  busy: boolean;
}

const WORKER_FILE = fileURLToPath(new URL('./render-worker.js', import.meta.url));

export class RenderWorkers {
  readonly #threads: Thread[] = [];
  readonly #pending = new Map<number, { thread: Thread; resolve: (part: RenderedPart) => void; reject: (error: Error) => void }>();
  #ids = 0;

  /**
   * Threads for `recipe`: by default one fewer than the machine's cores, at most 2; none where the
   * compiled thread script is absent (the emulator runs from TypeScript sources).
   */
  static start(recipe: OrgRecipe, options: { threads?: number; file?: string } = {}): RenderWorkers | undefined {
    const count = options.threads ?? Math.min(2, availableParallelism() - 1);
    const file = options.file ?? WORKER_FILE;
    if (count <= 0 || !existsSync(file)) return undefined;
    return new RenderWorkers(recipe, count, file);
  }

  private constructor(recipe: OrgRecipe, count: number, file: string) {
    for (let i = 0; i < count; i++) {
      const thread: Thread = { worker: new Worker(file, { workerData: recipe }), busy: false };
      // Render threads never keep a process alive that is otherwise done.
      thread.worker.unref();
      thread.worker.on('message', (reply: RenderReply) => this.#settle(thread, reply));
      thread.worker.on('error', (error) => this.#fail(thread, error));
      thread.worker.on('exit', () => this.#fail(thread, new Error('render thread exited')));
      this.#threads.push(thread);
    }
  }

  /** Whether a thread is free for another part. */
  get idle(): boolean {
    return this.#threads.some((t) => !t.busy);
  }

  /** Renders a part on a free thread; rejects when none is free or the thread fails. */
  render(task: Omit<RenderTask, 'id'>): Promise<RenderedPart> {
    const thread = this.#threads.find((t) => !t.busy);
    if (!thread) return Promise.reject(new Error('no free render thread'));
    thread.busy = true;
    const id = ++this.#ids;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { thread, resolve, reject });
      thread.worker.postMessage({ ...task, id } satisfies RenderTask);
    });
  }

  async close(): Promise<void> {
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #settle(thread: Thread, reply: RenderReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    thread.busy = false;
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve({ chunks: reply.chunks.map((c) => Buffer.from(c.buffer, c.offset, c.length)), rowEnds: reply.rowEnds });
  }

  /** A thread that errs or exits is out of the pool; what it was rendering is rendered elsewhere. */
  #fail(thread: Thread, error: Error): void {
    const index = this.#threads.indexOf(thread);
    if (index >= 0) this.#threads.splice(index, 1);
    for (const [id, pending] of this.#pending) {
      if (pending.thread !== thread) continue;
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}
