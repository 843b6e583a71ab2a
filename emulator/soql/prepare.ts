/**
 * Plans a SOQL query against the org's table: rows are matched lazily, in ORDER BY order (or
 * Id order without sorting), so millions of rows never sit in memory at once.
 */
import { listRowSet, RowBitmap, type RowSet } from '../org/row-set.js';
import type { OrgTable } from '../org/table.js';
import { OrgError, type FieldValue, type PreparedQuery, type QueryOptions, type QueryRow } from '../org/types.js';
import { compare, compileCondition, rangeOf } from './conditions.js';
import { parseSoql } from './parse.js';
import { resolveField, type Accessor } from './resolve.js';

export function prepareQuery(table: OrgTable, soql: string, options: QueryOptions, now: number, revision: () => number): PreparedQuery {
  const q = parseSoql(soql, now);
  const root = table.objectOf(q.from.name);
  if (!root || root.spec.queryable === false) {
    throw new OrgError('INVALID_TYPE', `\n${q.text}\n${' '.repeat(q.from.column - 1)}^\nERROR at Row:1:Column:${q.from.column}\nsObject type '${q.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
  }
  const resolved = q.fields.map((ref) => resolveField(table, q, root, ref));
  const predicate = q.where ? compileCondition(table, q, root, q.where) : () => true;
  const orderKeys = q.orderBy.map((o) => {
    const target = resolveField(table, q, root, o.field);
    return { ...o, get: target.accessor, field: target.column.relationships.length === 0 ? target.column.field.name : '' };
  });
  // Row order is Id order, and for base rows SystemModstamp order too: such results need no sort.
  const inRowOrder = () =>
    orderKeys.length === 0 ||
    (orderKeys.length === 1 && !orderKeys[0]!.descending &&
      (orderKeys[0]!.field === 'Id' || (root.overlay.size === 0 && root.sortedField >= 0 && orderKeys[0]!.field === root.fields[root.sortedField]!.name)));
  let matches: RowSet | undefined;
  let fixedAt = -1;
  const compute = (): RowSet => {
    if (matches) return matches;
    fixedAt = revision();
    const [lo, hi] = rangeOf(table, root, q.where);
    const visible = (row: number) => options.includeDeleted || !table.isDeleted(root, row);
    const start = q.offset ?? 0;
    if (inRowOrder()) {
      let first = lo;
      let end = hi;
      for (const row of root.overlay.keys()) {
        first = Math.min(first, row);
        end = Math.max(end, row + 1);
      }
      const set = new RowBitmap(first, end);
      for (let row = lo; row < hi; row += 1) {
        if (!root.overlay.has(row) && visible(row) && predicate(row)) set.add(row);
      }
      for (const row of root.overlay.keys()) if (visible(row) && predicate(row)) set.add(row);
      matches = set.toRowSet(start, q.limit);
      return matches;
    }
    const out: number[] = [];
    for (let row = lo; row < hi; row += 1) {
      if (root.overlay.has(row)) continue;
      if (visible(row) && predicate(row)) out.push(row);
    }
    for (const row of root.overlay.keys()) if (visible(row) && predicate(row)) out.push(row);
    out.sort((a, b) => {
      for (const k of orderKeys) {
        const va = k.get(a);
        const vb = k.get(b);
        if (va === vb) continue;
        if (va === null) return k.nullsLast ? 1 : -1;
        if (vb === null) return k.nullsLast ? -1 : 1;
        const c = compare(va as string | number | boolean, vb as string | number | boolean);
        if (c !== 0) return k.descending ? -c : c;
      }
      return a - b;
    });
    matches = listRowSet(out, start, q.limit);
    return matches;
  };
  const columns = resolved.map((r) => r.column);
  const accessors = resolved.map((r) => r.accessor);
  const stepList = new Map<string, { type: string; parentId: Accessor }>();
  for (const r of resolved) for (const s of r.steps) if (!stepList.has(s.prefix)) stepList.set(s.prefix, s);
  const steps = [...stepList.entries()];
  const idField = root.fieldIndex.get('id')!;
  return {
    sobject: root.spec.name,
    isCount: q.count,
    columns,
    totalSize: () => compute().size,
    resultKey: () => {
      compute();
      // The query's meaning, not its spelling: positions and text dropped, names in one case.
      const meaning = JSON.stringify({ q, includeDeleted: options.includeDeleted }, (key, v: unknown) =>
        key === 'text' || key === 'column' ? undefined : key === 'path' || key === 'name' ? JSON.stringify(v).toLowerCase() : v);
      return `${meaning}@${fixedAt}`;
    },
    *rows(offset = 0): Iterable<QueryRow> {
      if (q.count) return;
      for (const row of compute().from(offset)) {
        const values = new Array<FieldValue>(accessors.length);
        for (let c = 0; c < accessors.length; c += 1) values[c] = accessors[c]!(row);
        const parents: QueryRow['parents'] = {};
        for (const [prefix, step] of steps) {
          const id = step.parentId(row);
          parents[prefix] = typeof id !== 'string' ? null : step.type === 'Name' ? { type: 'Name', id, sobject: table.rowOfId(id)?.[0].spec.name ?? 'Name' } : { type: step.type, id };
        }
        yield { type: root.spec.name, id: table.value(root, row, idField) as string, values, parents };
      }
    },
  };
}
