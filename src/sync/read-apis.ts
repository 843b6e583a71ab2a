/**
 * The Salesforce APIs that can serve a read, in one registry that knows what each can serve and
 * what it falls back to. A stream is read through the preferred API that can return its fields;
 * when that API refuses a job for the object (INVALIDENTITY, feature not enabled), the rest of
 * the stream goes through its fallback.
 *
 * Adding a read API (Bulk API 1.0, REST-batched...), at most three files plus tests:
 *   1. `src/sync/<api>-reader.ts`: a `ReadApi` (its `read`, what it cannot select, its fallback);
 *   2. `src/commands/read.ts`: register it (and map the config value that forces it);
 *   3. `schemas/config.schema.json` (+ meltano.yml, README) when users can choose it.
 */
import type { SelectedStream } from '../catalog/types.js';
import type { RecordBatch } from './events.js';
import type { ReadPlan } from './read-plan.js';

/** A half-open range on the replication key: `start <= key < end`, ISO-8601 UTC. */
export interface SyncWindow {
  start: string;
  end: string;
}

/** Which API serves a read: `bulk` (Bulk API 2.0), `rest`, and whatever else is registered. */
export type ReadApiId = string;

export interface ReadRequest {
  stream: SelectedStream;
  plan: ReadPlan;
  api: ReadApiId;
  /** Absent for full-table reads. */
  window?: SyncWindow;
  signal: AbortSignal;
  /** Rows the server says this read will return, as soon as it knows. */
  onEstimate(rows: number): void;
}

/** Reads one window (or the whole table) of one stream through one API. */
export type WindowReader = (request: ReadRequest) => AsyncIterable<RecordBatch>;

export interface ReadApi {
  readonly id: ReadApiId;
  /** For people: `Bulk API 2.0`. */
  readonly label: string;
  /** Why this API cannot read the stream at all (e.g. Bulk does not support the object), or undefined. */
  refuses?(stream: SelectedStream): string | undefined;
  /** Selected columns this API cannot return as values (e.g. base64 fields on Bulk). */
  unselectable?(plan: ReadPlan): string[];
  /** Where a stream goes when this API cannot serve it or refuses its job. */
  readonly fallback?: ReadApiId;
  read: WindowReader;
}

/** What `choose` decided for a stream, with what to tell the user about it. */
export interface ApiChoice {
  api: ReadApi;
  /** The plan to read: without the columns a forced API cannot return. */
  plan: ReadPlan;
  notes: { level: 'info' | 'warn'; message: string }[];
}

export class ReadApiRegistry {
  readonly #apis = new Map<ReadApiId, ReadApi>();
  readonly #preferred: ReadApiId;

  /** `apis` in order of preference: the first is tried first for every stream. */
  constructor(apis: readonly ReadApi[]) {
    if (apis.length === 0) throw new RangeError('Expected at least one read API');
    for (const api of apis) this.#apis.set(api.id, api);
    this.#preferred = apis[0]!.id;
  }

  get(id: ReadApiId): ReadApi {
    const api = this.#apis.get(id);
    if (!api) throw new RangeError(`Expected a registered read API, got \`${id}\` (registered: ${[...this.#apis.keys()].join(', ')})`);
    return api;
  }

  /** The API to fall back to from `id`, if it has one. */
  fallbackOf(id: ReadApiId): ReadApi | undefined {
    const next = this.get(id).fallback;
    return next === undefined ? undefined : this.get(next);
  }

  /**
   * The API for a stream: `forced` (the user's choice) or the preferred one, moved along the
   * fallbacks past APIs that refuse the stream. Columns the chosen API cannot return move the
   * stream to the fallback, unless the user forced the API: then they are left out.
   */
  choose(stream: SelectedStream, plan: ReadPlan, forced: ReadApiId | undefined, replan: (fields: string[]) => ReadPlan): ApiChoice {
    const name = stream.definition.name;
    const notes: ApiChoice['notes'] = [];
    let api = this.get(forced ?? this.#preferred);
    const seen = new Set<ReadApiId>();
    for (;;) {
      seen.add(api.id);
      const next = this.fallbackOf(api.id);
      const canMove = next !== undefined && !seen.has(next.id);
      if (api.refuses?.(stream) !== undefined && canMove) {
        api = next;
        continue;
      }
      const missing = api.unselectable?.(plan) ?? [];
      if (missing.length === 0) return { api, plan, notes };
      if (api.id === forced || !canMove) {
        notes.push({ level: 'warn', message: `${name}: ${api.label} cannot return ${missing.join(', ')}; they are left out because \`api\` is \`${api.id}\`` });
        return { api, plan: replan(stream.fields.filter((f) => !missing.includes(f))), notes };
      }
      notes.push({ level: 'info', message: `${name}: reading through ${next.label} because ${api.label} cannot return ${missing.join(', ')}` });
      api = next;
    }
  }
}
