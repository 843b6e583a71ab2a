/** Settings the tap does not know are ignored, but said so: a misspelt key must not pass silently. */
import { CONFIG_SCHEMA } from './schema.js';

/** Edit distance, for "did you mean" on misspelt settings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

export function unknownSettingWarnings(flat: Record<string, unknown>): string[] {
  const known = Object.keys(CONFIG_SCHEMA.properties);
  return Object.keys(flat)
    .filter((key) => key !== 'credentials' && !(key in CONFIG_SCHEMA.properties))
    .map((key) => {
      const close = known.map((k) => ({ k, d: Math.min(distance(key, k), k.startsWith(key) || k.includes(key) ? 1 : Infinity) })).sort((x, y) => x.d - y.d)[0];
      const hint = close && close.d <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean \`${close.k}\`?)` : '';
      return `The setting \`${key}\` is not one tap-salesforce knows and is ignored${hint}.`;
    });
}
