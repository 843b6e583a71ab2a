/**
 * The org's rows: generated base rows (lazy, addressed by index) plus an overlay of the rows
 * clients changed. The SOQL compiler and the record calls read through this one table.
 */
import { childRelationshipName, describeObject } from './describe.js';
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
  rowOfId(id: string): [ObjectState, number] | undefined;
  /** Every field of a row, as stored (overlay) or generated. */
  materialize(o: ObjectState, row: number): FieldValue[];
  /** Describe as served for an API version (its URLs carry the version). */
  describeFor(o: ObjectState, version: string): SObjectDescribe;
  /** The sorted field's value of base row `row` (binary search over generated history). */
  sortedValueAt(o: ObjectState, row: number): number;
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
      overlay: new Map(), deletedAt: new Map(), nextIndex: count, describes: new Map(),
      sortedField: sortedName ? fieldIndex.get(sortedName)! : -1, isDeletedField: fieldIndex.get('isdeleted') ?? -1,
    });
  });
  const byPrefix = new Map<string, ObjectState>([...objects.values()].filter((o) => o.spec.keyPrefix).map((o) => [o.spec.keyPrefix!, o]));

  const value = (o: ObjectState, row: number, field: number): FieldValue => {
    const changed = o.overlay.get(row);
    if (changed) return changed[field] ?? null;
    return row < o.baseCount ? o.generators[field]!(row) : null;
  };
  const exists = (o: ObjectState, row: number) => row >= 0 && row < o.nextIndex && (row < o.baseCount || o.overlay.has(row));

  // Built once on first describe: which objects' lookups point at each object.
  let childrenByParent: Map<string, ChildRelationship[]> | undefined;
  const childrenOf = (name: string): ChildRelationship[] => {
    if (!childrenByParent) {
      childrenByParent = new Map();
      for (const other of objects.values()) {
        for (const f of other.fields) {
          for (const target of f.referenceTo ?? []) {
            const list = childrenByParent.get(target) ?? [];
            list.push({ childSObject: other.spec.name, field: f.name, relationshipName: childRelationshipName(other.spec) });
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
    rowOfId(id) {
      const o = byPrefix.get(id.slice(0, 3));
      if (!o) return undefined;
      const row = indexOfId(o.spec.keyPrefix!, id);
      return row >= 0 && exists(o, row) ? [o, row] : undefined;
    },
    materialize: (o, row) => o.overlay.get(row) ?? o.fields.map((_, f) => value(o, row, f)),
    describeFor(o, version) {
      let d = o.describes.get(version);
      if (!d) {
        d = describeObject(o.spec, version, childrenOf(o.spec.name));
        o.describes.set(version, d);
      }
      return d;
    },
    sortedValueAt: (o, row) => modstampOf(ctx, o.index, o.baseCount, row),
  };
}
