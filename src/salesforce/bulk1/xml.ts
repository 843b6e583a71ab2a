/**
 * Reads Bulk API 1.0's XML replies: `batchInfo`, `batchInfoList` and `result-list` hold only flat
 * elements of text, so a reader of flat elements is all they need (no XML library).
 */
import { TapError } from '../../core/errors.js';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function unescape(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e.startsWith('#x') || e.startsWith('#X') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/** The flat child elements of each `<element>` in `xml` (`<element/>` counts, empty). */
export function readElements(xml: string, element: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const outer = new RegExp(`<(?:\\w+:)?${element}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${element}>`, 'g');
  for (const match of xml.matchAll(outer)) {
    const fields: Record<string, string> = {};
    for (const child of match[1]!.matchAll(/<(?:\w+:)?(\w+)(?:\s[^>]*)?>([^<]*)<\/(?:\w+:)?\1>/g)) fields[child[1]!] = unescape(child[2]!);
    out.push(fields);
  }
  return out;
}

/** Each `<result>` id of a `result-list`. */
export function readResultIds(xml: string): string[] {
  if (!/<(?:\w+:)?result-list\b/.test(xml)) throw unexpected('a result-list', xml);
  return [...xml.matchAll(/<(?:\w+:)?result>([^<]*)<\/(?:\w+:)?result>/g)].map((m) => unescape(m[1]!).trim());
}

export function unexpected(what: string, text: string): TapError {
  return new TapError('TAP_UNEXPECTED_RESPONSE', `Bulk API 1.0 answered with something other than ${what} (a proxy?): ${text.slice(0, 120)}`, { kind: 'transient', retryable: true });
}
