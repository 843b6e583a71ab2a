/**
 * Compiles a WHERE clause into a row predicate, and finds the range of base rows a condition on
 * the sorted field (SystemModstamp) allows, so incremental windows scan only their rows.
 */
import { indexOfId } from '../org/ids.js';
import type { ObjectState, OrgTable } from '../org/table.js';
import type { FieldValue } from '../org/types.js';
import type { Condition, Literal, SoqlQuery } from './parse.js';
import { resolveField } from './resolve.js';

export function compileCondition(table: OrgTable, q: SoqlQuery, root: ObjectState, c: Condition): (row: number) => boolean {
  switch (c.kind) {
    case 'and': {
      const l = compileCondition(table, q, root, c.left);
      const r = compileCondition(table, q, root, c.right);
      return (row) => l(row) && r(row);
    }
    case 'or': {
      const l = compileCondition(table, q, root, c.left);
      const r = compileCondition(table, q, root, c.right);
      return (row) => l(row) || r(row);
    }
    case 'not': {
      const inner = compileCondition(table, q, root, c.operand);
      return (row) => !inner(row);
    }
    default:
  }
  const target = resolveField(table, q, root, c.field);
  let get = target.accessor;
  let norm = normalizer(target.type);
  // A generated row's SystemModstamp is a number before it is text: windows compare it unparsed.
  if (target.type === 'datetime' && c.field.path.length === 1 && root.sortedField >= 0 && c.field.path[0]!.toLowerCase() === root.fields[root.sortedField]!.name.toLowerCase()) {
    const text = get;
    get = (row) => (row < root.baseCount && !root.overlay.has(row) ? table.sortedValueAt(root, row) : text(row));
    norm = (v) => (typeof v === 'number' ? v : Date.parse(v as string));
  }
  if (c.kind === 'compare') {
    const lit = literalValue(c.value, target.type);
    if (lit === null) return c.op === '=' ? (row) => get(row) === null : c.op === '!=' ? (row) => get(row) !== null : () => false;
    return (row) => {
      const v = get(row);
      if (v === null) return c.op === '!=';
      const cmp = compare(norm(v), lit);
      switch (c.op) {
        case '=': return cmp === 0;
        case '!=': return cmp !== 0;
        case '<': return cmp < 0;
        case '<=': return cmp <= 0;
        case '>': return cmp > 0;
        default: return cmp >= 0;
      }
    };
  }
  if (c.kind === 'in') {
    const values = c.values.map((v) => literalValue(v, target.type));
    return (row) => {
      const v = get(row);
      const hit = v === null ? values.includes(null) : values.some((x) => x !== null && compare(norm(v), x) === 0);
      return c.negated ? !hit : hit;
    };
  }
  if (c.kind === 'like') {
    const re = new RegExp(`^${c.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'is');
    return (row) => {
      const v = get(row);
      return typeof v === 'string' && re.test(v);
    };
  }
  const wanted = c.values.map((v) => v.toLowerCase().split(';').sort().join(';'));
  return (row) => {
    const v = get(row);
    const have = typeof v === 'string' ? v.toLowerCase().split(';') : [];
    const hit = wanted.some((w) => w.split(';').every((x) => have.includes(x)));
    return c.negated ? !hit : hit;
  };
}

/** Base-row index range [lo, hi) the WHERE clause allows on the sorted field, when it says. */
export function rangeOf(table: OrgTable, root: ObjectState, where: Condition | undefined): [number, number] {
  let lo = 0;
  let hi = root.baseCount;
  if (!where) return [lo, hi];
  const sortedName = root.sortedField < 0 ? '' : root.fields[root.sortedField]!.name.toLowerCase();
  const visit = (c: Condition) => {
    if (c.kind === 'and') {
      visit(c.left);
      visit(c.right);
      return;
    }
    if (c.kind !== 'compare' || c.field.path.length !== 1) return;
    // Ids encode the row index: an Id range (PK chunking, split loads) is an index range.
    if (c.field.path[0]!.toLowerCase() === 'id' && c.value.kind === 'string') {
      const index = indexOfId(root.spec.keyPrefix ?? '', c.value.value);
      if (index < 0) return;
      if (c.op === '>=') lo = Math.max(lo, index);
      else if (c.op === '>') lo = Math.max(lo, index + 1);
      else if (c.op === '<') hi = Math.min(hi, index);
      else if (c.op === '<=') hi = Math.min(hi, index + 1);
      return;
    }
    if (sortedName === '' || c.field.path[0]!.toLowerCase() !== sortedName) return;
    if (c.value.kind !== 'datetime' && c.value.kind !== 'date') return;
    const t = c.value.kind === 'datetime' ? c.value.value : Date.parse(`${c.value.value}T00:00:00Z`);
    const firstAtLeast = (x: number) => {
      let a = 0;
      let b = root.baseCount;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (table.sortedValueAt(root, m) < x) a = m + 1;
        else b = m;
      }
      return a;
    };
    if (c.op === '>=') lo = Math.max(lo, firstAtLeast(t));
    else if (c.op === '>') lo = Math.max(lo, firstAtLeast(t + 1));
    else if (c.op === '<') hi = Math.min(hi, firstAtLeast(t));
    else if (c.op === '<=') hi = Math.min(hi, firstAtLeast(t + 1));
  };
  visit(where);
  return [lo, Math.max(lo, hi)];
}

type Comparable = string | number | boolean;

function normalizer(type: string): (v: FieldValue) => Comparable {
  if (type === 'datetime') return (v) => Date.parse(v as string);
  if (type === 'string' || type === 'textarea' || type === 'email' || type === 'picklist' || type === 'phone' || type === 'url' || type === 'combobox' || type === 'multipicklist') return (v) => String(v).toLowerCase();
  return (v) => v as Comparable;
}

function literalValue(lit: Literal, type: string): Comparable | null {
  switch (lit.kind) {
    case 'null':
      return null;
    case 'datetime':
      return type === 'date' ? new Date(lit.value).toISOString().slice(0, 10) : lit.value;
    case 'date':
      return type === 'datetime' ? Date.parse(`${lit.value}T00:00:00Z`) : lit.value;
    case 'string':
      return type === 'id' || type === 'reference' ? lit.value : lit.value.toLowerCase();
    default:
      return lit.value;
  }
}

export function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') {
    // Ids compare on their 15-character case-sensitive prefix.
    const x = a.length === 18 && b.length === 15 ? a.slice(0, 15) : a;
    const y = b.length === 18 && a.length === 15 ? b.slice(0, 15) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
