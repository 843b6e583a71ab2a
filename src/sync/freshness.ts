/**
 * What keeps a polled stream from drifting from the org, decided per stream before its rows are
 * read: the tombstones of rows deleted since the last run (getDeleted), and whether the stream
 * must be re-read in full this run — because deletes older than getDeleted's window were missed
 * (`deleted_gap: full_refresh`) or because its formula values are due (`formula_fields: refresh`).
 */
import type { SelectedStream } from '../catalog/types.js';
import type { DeletedGapAction, FormulaFieldsMode } from '../config/types.js';
import { isFormulaRefreshDue } from '../state/formula-refresh.js';
import { describeDeletedGap, readHardDeletes, readsHardDeletes, type HardDeleteSettings } from './hard-deletes.js';
import type { Tombstone } from './tombstones.js';

export interface FreshnessSettings extends HardDeleteSettings {
  captureHardDeletes: boolean;
  deletedGap: DeletedGapAction;
  formulaFields: FormulaFieldsMode;
  formulaRefreshSeconds: number;
}

/** What the previous run left in the stream's state. */
export interface FreshnessPosition {
  /** The replication bookmark (undefined: this run reads the stream in full anyway). */
  bookmark?: string | undefined;
  /** Where the last getDeleted coverage ended. */
  deletesCoveredUntil?: string | undefined;
  /** When the stream's formula values were last read in full. */
  formulasRefreshedAt?: string | undefined;
}

export interface FreshnessPlan {
  /** Emitted before the stream's records: a row still in the recycle bin is then re-sent after its tombstone, as today. */
  tombstones: Tombstone[];
  /** Why the stream is re-read in full this run, if it is. */
  fullRead?: 'deleted_gap' | 'formula_refresh';
  warnings: string[];
  /** Freshness state every checkpoint of this run carries. */
  carry: FreshnessState;
  /** Freshness state the stream's last checkpoint records once its read completes. */
  onComplete: FreshnessState;
}

export interface FreshnessState {
  deletesCoveredUntil?: string;
  formulasRefreshedAt?: string;
}

/** The stream's selected formula fields. */
export function selectedFormulaFields(stream: SelectedStream): string[] {
  const selected = new Set(stream.fields);
  return stream.definition.fields.filter((f) => f.calculated && selected.has(f.name)).map((f) => f.name);
}

/** `formula_fields: exclude`: formula fields are never selected (keys and cursors never are formulas). */
export function applyFormulaMode(streams: SelectedStream[], mode: FormulaFieldsMode): SelectedStream[] {
  if (mode !== 'exclude') return streams;
  return streams.map((stream) => {
    const formulas = new Set(selectedFormulaFields(stream));
    return formulas.size === 0 ? stream : { ...stream, fields: stream.fields.filter((f) => !formulas.has(f)) };
  });
}

/** Whether a plan under these settings can ever be a full read (else the read need not wait for it). */
export function mayReadInFull(settings: Pick<FreshnessSettings, 'deletedGap' | 'formulaFields'>): boolean {
  return settings.deletedGap === 'full_refresh' || settings.formulaFields === 'refresh';
}

export async function planFreshness(stream: SelectedStream, position: FreshnessPosition, syncStart: Date, settings: FreshnessSettings, signal: AbortSignal): Promise<FreshnessPlan> {
  const name = stream.definition.name;
  const carry: FreshnessState = position.formulasRefreshedAt !== undefined ? { formulasRefreshedAt: position.formulasRefreshedAt } : {};
  const plan: FreshnessPlan = { tombstones: [], warnings: [], carry, onComplete: { ...carry } };
  if (readsHardDeletes(stream, settings.captureHardDeletes)) {
    const read = await readHardDeletes(stream, { coveredUntil: position.deletesCoveredUntil, bookmark: position.bookmark }, syncStart, settings, signal);
    plan.tombstones = read.tombstones;
    if (read.coveredUntil !== undefined) carry.deletesCoveredUntil = plan.onComplete.deletesCoveredUntil = read.coveredUntil;
    // A stream read in full anyway (first run) has no gap to speak of.
    if (read.gap && position.bookmark !== undefined) {
      const fullRefresh = settings.deletedGap === 'full_refresh';
      plan.warnings.push(describeDeletedGap(name, read.gap, settings.maxDays, fullRefresh));
      if (fullRefresh) plan.fullRead = 'deleted_gap';
    }
  }
  if (stream.method === 'INCREMENTAL' && settings.formulaFields === 'refresh' && selectedFormulaFields(stream).length > 0) {
    if (position.bookmark !== undefined && !plan.fullRead && isFormulaRefreshDue(position.formulasRefreshedAt, settings.formulaRefreshSeconds, syncStart)) {
      plan.fullRead = 'formula_refresh';
    }
    // Any full read (a first run, a gap, a due refresh) brings every formula value up to date.
    if (position.bookmark === undefined || plan.fullRead) plan.onComplete.formulasRefreshedAt = syncStart.toISOString();
  }
  return plan;
}
