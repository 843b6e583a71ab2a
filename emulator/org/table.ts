/**
 * The org's rows: generated base rows (lazy, addressed by index) plus an overlay of the rows
 * clients changed. The SOQL compiler and the record calls read through this one table.
 */
import { childRelationshipName, describeObject } from './describe.js';
import { compileFormula, type CompiledFormula, type FormulaValue } from './formula.js';
import { buildGenerators, modstampOf, type GeneratorContext, type RowGenerator } from './generate.js';
import { indexOfId } from './ids.js';
import type { FieldSpec, ObjectSpec } from './spec.js';
import type { FieldValue, SObjectDescribe } from './types.js';

export const DEFAULT_API_VERSION = '65.0';

export interface ObjectState {
  spec: ObjectSpec;
  index: number;
  fields: FieldSpec[];
  fieldIndex: Map<string, number>;
  baseCount: number;
  generators: RowGenerator[];
  /** Rows changed or created by clients: full values, by row index. */
  overlay: Map<number, FieldValue[]>;
  /** Rows deleted by clients, with the deletion time. */
  deletedAt: Map<number, number>;
  /** Deleted rows gone from the recycle bin (hard-deleted or purged): no query sees them any more. */
  purged: Set<number>;
  /** Per field: its formula, evaluated on every read (formula values are never stored). */
  formulas: (CompiledFormula | undefined)[];
  /** Rows created by clients start here. */
  nextIndex: number;
  describes: Map<string, SObjectDescribe>;
  /** The non-decreasing field of the base rows (SystemModstamp or LoginTime), if any. */
  sortedField: number;
  isDeletedField: number;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
}

export interface OrgTable {
  readonly specs: readonly ObjectSpec[];
  objectOf(name: string): ObjectState | undefined;
  objects(): Iterable<ObjectState>;
  value(o: ObjectState, row: number, field: number): FieldValue;
  exists(o: ObjectState, row: number): boolean;
  isDeleted(o: ObjectState, row: number): boolean;
  /** The row left the recycle bin: gone for query and queryAll alike. */
  isPurged(o: ObjectState, row: number): boolean;
  rowOfId(id: string): [ObjectState, number] | undefined;
  /** Every field of a row, as stored (overlay) or generated. */
  materialize(o: ObjectState, row: number): FieldValue[];
  /** Describe as served for an API version (its URLs carry the version). */
  describeFor(o: ObjectState, version: string): SObjectDescribe;
  /** The sorted field's value of base row `row` (binary search over generated history). */
  sortedValueAt(o: ObjectState, row: number): number;
  /** Gives a generated row fixed values (the org's own row, the logged-in user): no commit, no new stamp. */
  seedRow(o: ObjectState, row: number, values: Record<string, FieldValue>): void;
}

export function buildTable(specs: readonly ObjectSpec[], records: number, seed: number, anchorMs: number): OrgTable {
  const counts = new Map<string, number>();
  const prefixes = new Map<string, string>();
  for (const spec of specs) {
    counts.set(spec.name, spec.queryable === false ? 0 : Math.max(Math.round(spec.ratio * records), spec.minRows ?? 0));
    if (spec.keyPrefix) prefixes.set(spec.name, spec.keyPrefix);
  }
  const ctx: GeneratorContext = { seed: seed >>> 0, anchorMs, counts, prefixes };
  const objects = new Map<string, ObjectState>();
  specs.forEach((spec, index) => {
    const fieldIndex = new Map(spec.fields.map((f, i) => [f.name.toLowerCase(), i]));
    const sortedName = fieldIndex.has('systemmodstamp') ? 'systemmodstamp' : fieldIndex.has('logintime') ? 'logintime' : '';
    const count = counts.get(spec.name) ?? 0;
    objects.set(spec.name.toLowerCase(), {
      spec, index, fields: spec.fields, fieldIndex, baseCount: count, generators: buildGenerators(ctx, spec, index),
      overlay: new Map(), deletedAt: new Map(), purged: new Set(), nextIndex: count, describes: new Map(),
      formulas: spec.fields.map((f) => (f.calculatedFormula === undefined ? undefined : compileFormula(f.calculatedFormula))),
      sortedField: sortedName ? fieldIndex.get(sortedName)! : -1, isDeletedField: fieldIndex.get('isdeleted') ?? -1,
    });
  });
  const byPrefix = new Map<string, ObjectState>([...objects.values()].filter((o) => o.spec.keyPrefix).map((o) => [o.spec.keyPrefix!, o]));

  const stored = (o: ObjectState, row: number, field: number): FieldValue => {
    const changed = o.overlay.get(row);
    if (changed) return changed[field] ?? null;
    return row < o.baseCount ? o.generators[field]!(row) : null;
  };
  const value = (o: ObjectState, row: number, field: number): FieldValue => {
    const formula = o.formulas[field];
    return formula ? evaluateFormula(o, row, field, formula) : stored(o, row, field);
  };
  const exists = (o: ObjectState, row: number) => row >= 0 && row < o.nextIndex && (row < o.baseCount || o.overlay.has(row)) && !o.purged.has(row);

  /** An input of a formula: a field of the row, or across lookups (`Account.Name`, `Account__r.Rating`). */
  const formulaInput = (o: ObjectState, row: number, path: string[]): FormulaValue => {
    let object = o;
    let r = row;
    for (const relationship of path.slice(0, -1)) {
      const ref = object.fields.findIndex((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === relationship.toLowerCase());
      const id = ref < 0 ? null : value(object, r, ref);
      const parent = typeof id === 'string' ? rowOfId(id) : undefined;
      if (!parent) return null;
      [object, r] = parent;
    }
    const f = object.fieldIndex.get(path[path.length - 1]!.toLowerCase());
    if (f === undefined) return null;
    const v = value(object, r, f);
    if (v !== null && typeof v === 'object') return null;
    // Percent fields are fractions inside formulas (8.5 reads as 0.085).
    return object.fields[f]!.type === 'percent' && typeof v === 'number' ? v / 100 : v;
  };
  const evaluateFormula = (o: ObjectState, row: number, field: number, formula: CompiledFormula): FieldValue => {
    const result = formula.evaluate((path) => formulaInput(o, row, path));
    const spec = o.fields[field]!;
    if (typeof result === 'number') {
      if (!Number.isFinite(result)) return null;
      const scale = spec.scale ?? 0;
      return spec.type === 'int' ? Math.round(result) : Math.round(result * 10 ** scale) / 10 ** scale;
    }
    return result === '' ? null : result;
  };
  const rowOfId = (id: string): [ObjectState, number] | undefined => {
    const o = byPrefix.get(id.slice(0, 3));
    if (!o) return undefined;
    const row = indexOfId(o.spec.keyPrefix!, id);
    return row >= 0 && exists(o, row) ? [o, row] : undefined;
  };

  // Built once on first describe: which objects' lookups point at each object.
  let childrenByParent: Map<string, ChildRelationship[]> | undefined;
  const childrenOf = (name: string): ChildRelationship[] => {
    if (!childrenByParent) {
      childrenByParent = new Map();
      for (const other of objects.values()) {
        for (const f of other.fields) {
          for (const target of f.referenceTo ?? []) {
            const list = childrenByParent.get(target) ?? [];
            const taken = new Set(list.map((c) => c.relationshipName ?? ''));
            list.push({ childSObject: other.spec.name, field: f.name, relationshipName: childRelationshipName(other.spec, f, target, taken) });
            childrenByParent.set(target, list);
          }
        }
      }
    }
    return childrenByParent.get(name) ?? [];
  };

  return {
    specs,
    objectOf: (name) => objects.get(name.toLowerCase()),
    objects: () => objects.values(),
    value,
    exists,
    isDeleted: (o, row) => o.isDeletedField >= 0 && value(o, row, o.isDeletedField) === true,
    isPurged: (o, row) => o.purged.has(row),
    rowOfId,
    // Formula fields are computed even on stored rows: a stored copy would not follow its inputs.
    materialize: (o, row) => o.fields.map((_, f) => value(o, row, f)),
    describeFor(o, version) {
      let d = o.describes.get(version);
      if (!d) {
        d = describeObject(o.spec, version, childrenOf(o.spec.name));
        o.describes.set(version, d);
      }
      return d;
    },
    sortedValueAt: (o, row) => modstampOf(ctx, o.index, o.baseCount, row),
    seedRow(o, row, values) {
      const record = [...(o.overlay.get(row) ?? o.fields.map((_, f) => value(o, row, f)))];
      for (const [name, v] of Object.entries(values)) {
        const f = o.fieldIndex.get(name.toLowerCase());
        if (f !== undefined) record[f] = v;
      }
      o.overlay.set(row, record);
    },
  };
}
