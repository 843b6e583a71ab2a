/**
 * How long this org takes to run a query job of n rows, learned from the jobs of this run: a
 * straight line through (rows, processing time) of the jobs seen done. Salesforce reports no
 * progress while a query job runs, so polls back off blind; with the line, the wait for a job of
 * counted rows adds one poll at the moment it should be done.
 */
interface Observation {
  rows: number;
  ms: number;
}

/** The line is fit to the latest jobs: the org's pace drifts over a night. */
const KEEP = 32;

export class JobPace {
  readonly #seen: Observation[] = [];

  /** A job seen done: its rows and the processing time Salesforce reported (`totalProcessingTime`). */
  observe(rows: number | undefined, ms: number | undefined): void {
    if (rows === undefined || ms === undefined || !(rows >= 0) || !(ms > 0)) return;
    this.#seen.push({ rows, ms });
    if (this.#seen.length > KEEP) this.#seen.shift();
  }

  /** Predicted processing ms of a job of `rows` rows; undefined until jobs of two sizes were seen. */
  predict(rows: number): number | undefined {
    const seen = this.#seen;
    if (seen.length < 2) return undefined;
    const meanRows = seen.reduce((s, o) => s + o.rows, 0) / seen.length;
    const meanMs = seen.reduce((s, o) => s + o.ms, 0) / seen.length;
    let sxx = 0;
    let sxy = 0;
    for (const o of seen) {
      sxx += (o.rows - meanRows) ** 2;
      sxy += (o.rows - meanRows) * (o.ms - meanMs);
    }
    if (sxx === 0) return undefined;
    const slope = sxy / sxx;
    // Bigger jobs taking less time is noise, not a pace.
    if (slope < 0) return undefined;
    const intercept = meanMs - slope * meanRows;
    if (intercept >= 0) return intercept + slope * rows;
    // A start that would take negative time: a line through the origin instead.
    const through = seen.reduce((s, o) => s + o.rows * o.ms, 0) / seen.reduce((s, o) => s + o.rows * o.rows, 0);
    return through * rows;
  }
}
