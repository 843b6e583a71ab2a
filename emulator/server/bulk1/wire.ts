/**
 * Bulk API 1.0's wire shapes: `jobInfo`, `batchInfo`, `batchInfoList`, `result-list` and `error`
 * in XML (namespace `http://www.force.com/2009/06/asyncapi/dataload`, elements in the documented
 * order, `…000Z` datetimes) or JSON (keys alphabetical, `…000+0000` datetimes, as recorded
 * replies show), and the request bodies clients send (XML `jobInfo` or JSON).
 */
import type { Reply } from '../reply.js';

export type WireFormat = 'xml' | 'json';

const NS = 'http://www.force.com/2009/06/asyncapi/dataload';
const XML_TYPE = 'application/xml';
const JSON_TYPE = 'application/json';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** An ordered record of fields: the XML element order is the documented one. */
export type Fields = [string, string | number | boolean | null][];

function xmlElements(fields: Fields, indent: string): string {
  return fields
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${indent}<${k}>${escapeXml(String(v))}</${k}>\n`)
    .join('');
}

/** XML datetimes end in `.000Z`; JSON ones in `.000+0000`. */
export function wireDate(iso: string, format: WireFormat): string {
  return format === 'json' ? iso.replace('Z', '+0000') : iso;
}

function jsonObject(fields: Fields): Record<string, unknown> {
  return Object.fromEntries([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `apiVersion` is a JSON number written with one decimal (`36.0`), which JSON.stringify cannot do. */
function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"apiVersion":(\d+)(?=[,}])/g, '"apiVersion":$1.0');
}

export function infoReply(status: number, root: 'jobInfo' | 'batchInfo', fields: Fields, format: WireFormat): Reply {
  if (format === 'json') {
    const value = jsonObject(fields);
    return { status, headers: { 'Content-Type': JSON_TYPE }, body: jsonText(value), json: value };
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?><${root}\n   xmlns="${NS}">\n${xmlElements(fields, ' ')}</${root}>`;
  return { status, headers: { 'Content-Type': XML_TYPE }, body };
}

export function batchListReply(batches: Fields[], format: WireFormat): Reply {
  if (format === 'json') {
    const value = { batchInfo: batches.map(jsonObject) };
    return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(value), json: value };
  }
  const items = batches.map((b) => ` <batchInfo>\n${xmlElements(b, '  ')} </batchInfo>\n`).join('');
  return { status: 200, headers: { 'Content-Type': XML_TYPE }, body: `<?xml version="1.0" encoding="UTF-8"?><batchInfoList\n   xmlns="${NS}">\n${items}</batchInfoList>` };
}

export function resultListReply(ids: string[], format: WireFormat): Reply {
  if (format === 'json') return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(ids), json: ids };
  const items = ids.map((id) => `<result>${id}</result>`).join('');
  return { status: 200, headers: { 'Content-Type': XML_TYPE }, body: `<result-list xmlns="${NS}">${items}</result-list>` };
}

/** Bulk API 1.0 errors: HTTP 400 (most) with `exceptionCode` and `exceptionMessage`. */
export function asyncError(status: number, exceptionCode: string, exceptionMessage: string, format: WireFormat): Reply {
  if (format === 'json') {
    const value = { exceptionCode, exceptionMessage };
    return { status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(value), json: value };
  }
  const body = `<?xml version="1.0" encoding="UTF-8"?><error\n   xmlns="${NS}">\n <exceptionCode>${escapeXml(exceptionCode)}</exceptionCode>\n <exceptionMessage>${escapeXml(exceptionMessage)}</exceptionMessage>\n</error>`;
  return { status, headers: { 'Content-Type': XML_TYPE }, body };
}

/**
 * The fields of a `jobInfo` request body, XML or JSON; a string is the error message. The XML
 * reader takes the flat elements of one root, which is all `jobInfo` ever holds.
 */
export function parseJobInfoBody(text: string, format: WireFormat): Record<string, string> | string {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return 'Unable to parse the JSON body of the request';
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'The JSON body of the request is not a jobInfo object';
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (v !== null && v !== undefined) out[k] = String(v);
    return out;
  }
  const body = text.replace(/^\s*<\?xml[^>]*\?>/, '').trim();
  const root = /^<(?:\w+:)?jobInfo\b[^>]*>([\s\S]*)<\/(?:\w+:)?jobInfo>\s*$/.exec(body);
  if (!root) return 'Unable to parse the XML body of the request: a jobInfo element was expected';
  const out: Record<string, string> = {};
  const element = /<(?:\w+:)?(\w+)\s*>([^<]*)<\/(?:\w+:)?\1\s*>/g;
  const inner = root[1]!;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = element.exec(inner)) !== null) {
    if (inner.slice(consumed, match.index).trim() !== '') return 'Unable to parse the XML body of the request';
    out[match[1]!] = match[2]!.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!).trim();
    consumed = match.index + match[0].length;
  }
  if (inner.slice(consumed).trim() !== '') return 'Unable to parse the XML body of the request';
  return out;
}
