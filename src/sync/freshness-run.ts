/**
 * One run's freshness set-up, composed by the read command: which fields and streams the
 * `formula_fields` and `capture_hard_deletes` settings change, the read modes wrapped with the
 * freshness work, and how many getDeleted calls the run made (for its log).
 */
import type { SelectedStream } from '../catalog/types.js';
import type { TapConfig } from '../config/types.js';
import { DEFAULTS } from '../core/defaults.js';
import { fetchDeleted, type RestGet } from '../salesforce/get-deleted.js';
import { applyFormulaMode } from './freshness.js';
import { readsHardDeletes } from './hard-deletes.js';
import { BUILT_IN_READ_MODES } from './modes/built-in.js';
import { withFreshness } from './modes/with-freshness.js';
import type { AnyReadMode } from './read-modes.js';

export interface FreshnessRun {
  /** The selection as this run reads it: formula fields left out (`exclude`), tombstone-capable streams marked. */
  streams: SelectedStream[];
  modes: readonly AnyReadMode[];
  getDeletedCalls(): number;
}

type FreshnessConfig = Pick<TapConfig, 'captureHardDeletes' | 'deletedGap' | 'formulaFields' | 'formulaRefreshSeconds' | 'lookbackSeconds'>;

/** `get` serves getDeleted: a Composite batcher's, so that many streams' calls count as one. */
export function setUpFreshness(get: RestGet, config: FreshnessConfig, selected: SelectedStream[], baseModes: readonly AnyReadMode[] = BUILT_IN_READ_MODES): FreshnessRun {
  let calls = 0;
  const streams = applyFormulaMode(selected, config.formulaFields).map((s) => (readsHardDeletes(s, config.captureHardDeletes) ? { ...s, tombstones: true } : s));
  const settings = {
    captureHardDeletes: config.captureHardDeletes,
    deletedGap: config.deletedGap,
    formulaFields: config.formulaFields,
    formulaRefreshSeconds: config.formulaRefreshSeconds,
    lookbackSeconds: config.lookbackSeconds,
    maxDays: DEFAULTS.getDeletedMaxDays,
    marginSeconds: DEFAULTS.getDeletedMarginSeconds,
    fetchDeleted: (sobject: string, range: { start: string; end: string }, signal: AbortSignal) => fetchDeleted(get, sobject, range, { signal, onCall: () => (calls += 1) }),
  };
  // Windowed incremental reads poll; other modes (full table, change events) need none of this.
  const modes = baseModes.map((mode) => (mode.id === 'incremental-windows' ? withFreshness(mode, settings) : mode));
  return { streams, modes, getDeletedCalls: () => calls };
}
