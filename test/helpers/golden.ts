/**
 * Golden message streams: a run's stdout with the fields that change from run to run replaced
 * by placeholders, so the file snapshot holds only what the tap decides. Regenerate after an
 * intended change with `npx vitest run test/integration/golden-streams.test.ts -u` and review
 * the diff of test/integration/golden/.
 */

const VOLATILE_KEYS: Readonly<Record<string, string>> = {
  time_extracted: '<time_extracted>',
  emitted_at: '<emitted_at>',
};

/** Timestamps at or after the run's start are the run's own clock (a sync's end), not the org's data. */
function normalizeValue(value: unknown, runStart: number): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, runStart));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = key in VOLATILE_KEYS ? VOLATILE_KEYS[key] : normalizeValue(inner, runStart);
    return out;
  }
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) && Date.parse(value) >= runStart - 1000) return '<run-time>';
  return value;
}

/** One normalized JSON line per stdout line, in order. */
export function normalizeMessageStream(stdout: string, runStart: number): string {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${JSON.stringify(normalizeValue(JSON.parse(line), runStart))}\n`)
    .join('');
}
