/**
 * Salesforce ids: 15 case-sensitive characters (3-char key prefix, then the record number in
 * base 62 here) plus the 3-character case-safe suffix. The emulator's ids encode the row index,
 * so a lookup from id to row is arithmetic, not a map.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** The two characters after the prefix: a pod/instance marker, as in real ids. */
const POD = '5g';
const NUMBER_CHARS = 10;

export function caseSafeSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += SUFFIX[bits];
  }
  return out;
}

export function makeId(prefix: string, index: number): string {
  let n = index;
  let digits = '';
  for (let i = 0; i < NUMBER_CHARS; i += 1) {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  const id15 = prefix + POD + digits;
  return id15 + caseSafeSuffix(id15);
}

/** The row index an emulator id encodes, or -1 when it is not one of ours for `prefix`. */
export function indexOfId(prefix: string, id: string): number {
  if ((id.length !== 15 && id.length !== 18) || !id.startsWith(prefix + POD)) return -1;
  let n = 0;
  for (let i = 5; i < 15; i += 1) {
    const d = BASE62.indexOf(id[i]!);
    if (d < 0) return -1;
    n = n * 62 + d;
  }
  if (id.length === 18 && id.slice(15) !== caseSafeSuffix(id.slice(0, 15))) return -1;
  return n;
}

export function isWellFormedId(id: string): boolean {
  return /^[a-zA-Z0-9]{15}([a-zA-Z0-5]{3})?$/.test(id);
}
