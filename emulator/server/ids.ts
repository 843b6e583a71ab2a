import { randomBytes } from 'node:crypto';
import { caseSafeSuffix } from '../org/ids.js';

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 18-character form: the 3-character case-safe suffix Salesforce appends to a 15-character id. */
export function toId18(id15: string): string {
  return id15.length === 18 ? id15 : id15 + caseSafeSuffix(id15);
}

/** A seeded PRNG (mulberry32) so credentials and fault probabilities repeat for a seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomString(random: () => number, length: number, alphabet = ID_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** Unpredictable token material (access tokens, codes): never from the seeded generator. */
export function secureToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ID_ALPHABET[bytes[i]! % ID_ALPHABET.length];
  return out;
}

/** An 18-character record id with a 3-character key prefix, numbered by a counter. */
export function buildId(prefix: string, counter: number, pod = '8c'): string {
  const body = counter.toString(36).toUpperCase().padStart(15 - prefix.length - pod.length, '0');
  return toId18(prefix + pod + body);
}

/** Opaque, base64-looking locators (`MTAwMDA` = "10000"), as Bulk API 2.0 hands them out. */
export function encodeLocator(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, '');
}

export function decodeLocator(locator: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+$/.test(locator)) return undefined;
  return Buffer.from(locator, 'base64').toString('utf8');
}
