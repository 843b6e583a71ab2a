/**
 * SOQL for reads: the selected columns, the user's own condition, and the window on the
 * replication key as `Key >= a AND Key < b` (half-open, so adjacent windows never overlap).
 */
import type { SyncWindowBounds } from './types.js';

/** Bulk API 2.0 takes the SOQL in a POST body: Salesforce's statement limit applies (100,000 chars). */
export const MAX_SOQL_CHARS = 100_000;
/** REST sends SOQL in the URL; Salesforce refuses URLs over 16,384 bytes (414). Headroom for host and path. */
export const MAX_REST_SOQL_URL_CHARS = 15_000;

export interface SelectSpec {
  sobject: string;
  columns: string[];
  /** The user's extra condition (`stream_where`), parenthesized as is. */
  where?: string;
  window?: SyncWindowBounds;
  orderBy?: string;
}

/** SOQL datetime literal, whole seconds, UTC. */
export function soqlDatetime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

export function buildSelect(spec: SelectSpec): string {
  const conditions: string[] = [];
  if (spec.where && spec.where.trim()) conditions.push(`(${spec.where.trim()})`);
  if (spec.window) conditions.push(`${spec.window.field} >= ${soqlDatetime(spec.window.start)} AND ${spec.window.field} < ${soqlDatetime(spec.window.end)}`);
  return `SELECT ${spec.columns.join(', ')} FROM ${spec.sobject}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}${spec.orderBy ? ` ORDER BY ${spec.orderBy}` : ''}`;
}

/**
 * Splits the columns so each part's SOQL stays within `limit` characters (measured with
 * `measure`, e.g. URL-encoded length for REST). Every part starts with `Id`, so parts join by Id.
 */
export function splitColumns(spec: SelectSpec, limit: number, measure: (soql: string) => number = (s) => s.length): string[][] {
  if (measure(buildSelect(spec)) <= limit) return [spec.columns];
  const rest = spec.columns.filter((c) => c !== 'Id');
  const parts: string[][] = [];
  let current = ['Id'];
  for (const column of rest) {
    const candidate = [...current, column];
    if (current.length > 1 && measure(buildSelect({ ...spec, columns: candidate, orderBy: 'Id' })) > limit) {
      parts.push(current);
      current = ['Id', column];
    } else current = candidate;
  }
  parts.push(current);
  return parts;
}
