/**
 * The emulated org: generated base rows (lazy, addressed by index) plus an overlay of the
 * mutations clients made, queried through the SOQL subset.
 */
import { parseSoql, type Condition, type FieldRef, type Literal, type SoqlQuery } from '../soql/parse.js';
import { buildGenerators, DAY_MS, modstampOf, type GeneratorContext, type RowGenerator } from './generate.js';
import { indexOfId, isWellFormedId, makeId } from './ids.js';
import { listRowSet, RowBitmap, type RowSet } from './row-set.js';
import { describeObject, globalEntry, nameEntityField, OBJECTS, type FieldSpec, type ObjectSpec } from './schema.js';
import {
  OrgError,
  type FieldDescribe,
  type FieldValue,
  type GetDeletedResult,
  type GetUpdatedResult,
  type Org,
  type OrgOptions,
  type PreparedQuery,
  type QueryColumn,
  type QueryOptions,
  type QueryRow,
  type SObjectDescribe,
} from './types.js';

export const DEFAULT_API_VERSION = '65.0';
/** Generated history ends here unless the caller picks another anchor: runs are reproducible. */
export const DEFAULT_ANCHOR = Date.UTC(2026, 0, 1);

type Accessor = (row: number) => FieldValue;

interface ObjectState {
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

export interface EmulatedOrg extends Org {
  /** Describe as served for an API version (its URLs carry the version). */
  describe(name: string, version?: string): SObjectDescribe | undefined;
  describeGlobal(version?: string): ReturnType<Org['describeGlobal']>;
  /** Rows of an object (generated and created), deleted ones included. */
  rowCount(sobject: string): number;
  readonly anchorMs: number;
  /** Counts the changes clients made (create, update, delete): what was read at one revision reads the same while it lasts. */
  revision(): number;
}

export function createOrg(options: OrgOptions & { anchorMs?: number; objects?: ObjectSpec[] }): EmulatedOrg {
  const now = options.now ?? Date.now;
  const specs = options.objects ?? OBJECTS;
  const anchorMs = options.anchorMs ?? DEFAULT_ANCHOR;
  const counts = new Map<string, number>();
  const prefixes = new Map<string, string>();
  for (const spec of specs) {
    counts.set(spec.name, spec.queryable === false ? 0 : Math.max(Math.round(spec.ratio * options.records), spec.minRows ?? 0));
    if (spec.keyPrefix) prefixes.set(spec.name, spec.keyPrefix);
  }
  const ctx: GeneratorContext = { seed: options.seed >>> 0, anchorMs, counts, prefixes };
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
  const orgId = '00D5g000004Emul';
  const userState = objects.get('user');
  const userId = userState ? makeId(userState.spec.keyPrefix!, 0) : makeId('005', 0);
  let lastTick = 0;
  let revision = 0;
  const tick = () => {
    lastTick = Math.max(now(), lastTick + 1);
    return lastTick;
  };

  const objectOf = (name: string) => objects.get(name.toLowerCase());
  const value = (o: ObjectState, row: number, field: number): FieldValue => {
    const changed = o.overlay.get(row);
    if (changed) return changed[field] ?? null;
    return row < o.baseCount ? o.generators[field]!(row) : null;
  };
  const exists = (o: ObjectState, row: number) => row >= 0 && row < o.nextIndex && (row < o.baseCount || o.overlay.has(row));
  const isDeleted = (o: ObjectState, row: number) => o.isDeletedField >= 0 && value(o, row, o.isDeletedField) === true;
  const rowOfId = (id: string): [ObjectState, number] | undefined => {
    const o = byPrefix.get(id.slice(0, 3));
    if (!o) return undefined;
    const row = indexOfId(o.spec.keyPrefix!, id);
    return row >= 0 && exists(o, row) ? [o, row] : undefined;
  };

  type Child = { childSObject: string; field: string; relationshipName: string | null };
  // Built once on first describe: which objects' lookups point at each object.
  let childrenByParent: Map<string, Child[]> | undefined;
  const childrenOf = (name: string): Child[] => {
    if (!childrenByParent) {
      childrenByParent = new Map();
      for (const other of objects.values()) {
        for (const f of other.fields) {
          for (const target of f.referenceTo ?? []) {
            const list = childrenByParent.get(target) ?? [];
            list.push({ childSObject: other.spec.name, field: f.name, relationshipName: other.spec.custom ? `${other.spec.name.replace(/__c$/, '')}s__r` : `${other.spec.name}s` });
            childrenByParent.set(target, list);
          }
        }
      }
    }
    return childrenByParent.get(name) ?? [];
  };

  const describeFor = (o: ObjectState, version: string): SObjectDescribe => {
    let d = o.describes.get(version);
    if (!d) {
      d = describeObject(o.spec, version, childrenOf(o.spec.name));
      o.describes.set(version, d);
    }
    return d;
  };

  // ---- query planning -------------------------------------------------------------------

  interface Resolved {
    column: QueryColumn;
    accessor: Accessor;
    /** Relationship prefixes walked, with accessors to the parent row id at each step. */
    steps: { prefix: string; type: string; parentId: Accessor }[];
    type: string;
  }

  const invalidField = (q: SoqlQuery, ref: FieldRef, message: string) => {
    const snippet = q.text;
    return new OrgError('INVALID_FIELD', `\n${snippet}\n${' '.repeat(Math.max(0, ref.column - 1))}^\nERROR at Row:1:Column:${ref.column}\n${message}`);
  };

  const resolve = (q: SoqlQuery, root: ObjectState, ref: FieldRef): Resolved => {
    let current = root;
    let rowOf: (row: number) => number = (row) => row;
    const relationships: string[] = [];
    const relationshipTypes: string[] = [];
    const steps: Resolved['steps'] = [];
    for (let k = 0; k < ref.path.length - 1; k += 1) {
      const name = ref.path[k]!;
      const refField = current.fields.findIndex((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === name.toLowerCase());
      if (refField < 0) {
        throw invalidField(q, ref, `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
      const spec = current.fields[refField]!;
      if (spec.referenceTo!.length > 1) return resolvePolymorphic(q, ref, k, current, rowOf, refField, relationships, relationshipTypes, steps);
      const target = objectOf(spec.referenceTo![0]!);
      if (!target) throw invalidField(q, ref, `Didn't understand relationship '${name}' in field path.`);
      const from = current;
      const parentRow = rowOf;
      const parentId: Accessor = (row) => {
        const r = parentRow(row);
        return r < 0 ? null : value(from, r, refField);
      };
      const targetState = target;
      rowOf = (row) => {
        const id = parentId(row);
        if (typeof id !== 'string') return -1;
        const r = indexOfId(targetState.spec.keyPrefix!, id);
        return r >= 0 && exists(targetState, r) ? r : -1;
      };
      relationships.push(spec.relationshipName!);
      relationshipTypes.push(target.spec.name);
      steps.push({ prefix: relationships.join('.'), type: target.spec.name, parentId });
      current = target;
    }
    const last = ref.path[ref.path.length - 1]!;
    const f = current.fieldIndex.get(last.toLowerCase());
    if (f === undefined) {
      throw invalidField(q, ref, `No such column '${last}' on entity '${current.spec.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const spec = current.fields[f]!;
    const owner = current;
    const finalRow = rowOf;
    let accessor: Accessor;
    if (spec.type === 'address' || spec.type === 'location') {
      const parts = owner.fields.map((c, i) => [c, i] as const).filter(([c]) => c.compoundFieldName === spec.name);
      const keyOf = (c: FieldSpec) => {
        const m = /(Street|City|State|PostalCode|Country|Latitude|Longitude|GeocodeAccuracy)(__s)?$/.exec(c.name)![1]!;
        return m.charAt(0).toLowerCase() + m.slice(1);
      };
      accessor = (row) => {
        const r = finalRow(row);
        if (r < 0) return null;
        const out: Record<string, string | number | null> = {};
        let any = false;
        for (const [c, i] of parts) {
          const v = value(owner, r, i);
          out[keyOf(c)] = v as string | number | null;
          if (v !== null) any = true;
        }
        return any ? out : null;
      };
    } else {
      accessor = (row) => {
        const r = finalRow(row);
        return r < 0 ? null : value(owner, r, f);
      };
    }
    const canonical = [...relationships, spec.name].join('.');
    return {
      column: { path: canonical, relationships, relationshipTypes, field: describeFor(owner, DEFAULT_API_VERSION).fields[f] as FieldDescribe },
      accessor, steps, type: spec.type,
    };
  };

  /**
   * A polymorphic relationship (Task.Who, Lead.Owner) lands on the `Name` entity: a few fields
   * common to every target, read from whichever object the id belongs to; it is the last step.
   */
  const resolvePolymorphic = (
    q: SoqlQuery, ref: FieldRef, k: number, from: ObjectState, parentRow: (row: number) => number, refField: number,
    relationships: string[], relationshipTypes: string[], steps: Resolved['steps'],
  ): Resolved => {
    const spec = from.fields[refField]!;
    if (k !== ref.path.length - 2) {
      throw invalidField(q, ref, `Didn't understand relationship '${ref.path[k + 1]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const last = ref.path[k + 1]!;
    const field = nameEntityField(last);
    if (!field) {
      throw invalidField(q, ref, `No such column '${last}' on entity 'Name'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const parentId: Accessor = (row) => {
      const r = parentRow(row);
      return r < 0 ? null : value(from, r, refField);
    };
    const key = last.toLowerCase();
    const accessor: Accessor = (row) => {
      const id = parentId(row);
      const target = typeof id === 'string' ? rowOfId(id) : undefined;
      if (!target) return null;
      const [o, r] = target;
      if (key === 'type') return o.spec.name;
      // Name is the record's name field, whatever it is called (a Case's CaseNumber).
      const f = key === 'name' ? o.fields.findIndex((x) => x.nameField ?? x.name === 'Name') : o.fieldIndex.get(key);
      return f === undefined || f < 0 ? null : value(o, r, f);
    };
    relationships.push(spec.relationshipName!);
    relationshipTypes.push('Name');
    steps.push({ prefix: relationships.join('.'), type: 'Name', parentId });
    return { column: { path: [...relationships, field.name].join('.'), relationships, relationshipTypes, field }, accessor, steps, type: field.type };
  };

  const compileCondition = (q: SoqlQuery, root: ObjectState, c: Condition): ((row: number) => boolean) => {
    switch (c.kind) {
      case 'and': {
        const l = compileCondition(q, root, c.left);
        const r = compileCondition(q, root, c.right);
        return (row) => l(row) && r(row);
      }
      case 'or': {
        const l = compileCondition(q, root, c.left);
        const r = compileCondition(q, root, c.right);
        return (row) => l(row) || r(row);
      }
      case 'not': {
        const inner = compileCondition(q, root, c.operand);
        return (row) => !inner(row);
      }
      default:
    }
    const target = resolve(q, root, c.field);
    const get = target.accessor;
    const norm = normalizer(target.type);
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
  };

  /** Base-row index range [lo, hi) the WHERE clause allows on the sorted field, when it says. */
  const rangeOf = (root: ObjectState, where: Condition | undefined): [number, number] => {
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
          if (modstampOf(ctx, root.index, root.baseCount, m) < x) a = m + 1;
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
  };

  const prepareQuery = (soql: string, options: QueryOptions): PreparedQuery => {
    const q = parseSoql(soql, now());
    const root = objectOf(q.from.name);
    if (!root || root.spec.queryable === false) {
      throw new OrgError('INVALID_TYPE', `\n${q.text}\n${' '.repeat(q.from.column - 1)}^\nERROR at Row:1:Column:${q.from.column}\nsObject type '${q.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const resolved = q.fields.map((ref) => resolve(q, root, ref));
    const predicate = q.where ? compileCondition(q, root, q.where) : () => true;
    const orderKeys = q.orderBy.map((o) => {
      const target = resolve(q, root, o.field);
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
      fixedAt = revision;
      const [lo, hi] = rangeOf(root, q.where);
      const visible = (row: number) => options.includeDeleted || !isDeleted(root, row);
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
            parents[prefix] = typeof id !== 'string' ? null : step.type === 'Name' ? { type: 'Name', id, sobject: rowOfId(id)?.[0].spec.name ?? 'Name' } : { type: step.type, id };
          }
          yield { type: root.spec.name, id: value(root, row, idField) as string, values, parents };
        }
      },
    };
  };

  // ---- records ------------------------------------------------------------------------------

  const requireObject = (sobject: string): ObjectState => {
    const o = objectOf(sobject);
    if (!o || o.spec.queryable === false) throw new OrgError('NOT_FOUND', 'The requested resource does not exist', 404);
    return o;
  };
  const requireRow = (o: ObjectState, id: string): number => {
    if (!isWellFormedId(id)) throw new OrgError('MALFORMED_ID', `${o.spec.label} ID: id value of incorrect type: ${id}`, 400, ['Id']);
    const row = indexOfId(o.spec.keyPrefix ?? '', id);
    if (row < 0 || !exists(o, row)) throw new OrgError('NOT_FOUND', 'The requested resource does not exist', 404);
    return row;
  };
  const materialize = (o: ObjectState, row: number): FieldValue[] => o.overlay.get(row) ?? o.fields.map((_, f) => value(o, row, f));
  const checkFields = (o: ObjectState, fields: Record<string, FieldValue>, mode: 'create' | 'update'): [number, FieldValue][] =>
    Object.entries(fields).map(([name, v]) => {
      const f = o.fieldIndex.get(name.toLowerCase());
      if (f === undefined) throw new OrgError('INVALID_FIELD', `No such column '${name}' on sobject of type ${o.spec.name}`, 400);
      const spec = o.fields[f]!;
      const allowed = mode === 'create' ? spec.createable !== false && !spec.calculatedFormula && spec.type !== 'id' : spec.updateable !== false && !spec.calculatedFormula && spec.type !== 'id';
      if (!allowed || spec.type === 'address' || spec.type === 'location') {
        throw new OrgError('INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${spec.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, 400, [spec.name]);
      }
      return [f, v];
    });
  const stamp = (o: ObjectState, record: FieldValue[], at: number) => {
    const set = (name: string, v: FieldValue) => {
      const f = o.fieldIndex.get(name.toLowerCase());
      if (f !== undefined) record[f] = v;
    };
    set('LastModifiedDate', new Date(at).toISOString());
    set('SystemModstamp', new Date(at).toISOString());
    set('LastModifiedById', userId);
  };

  return {
    orgId,
    userId,
    anchorMs,
    describeGlobal(version = DEFAULT_API_VERSION) {
      return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: specs.map((s) => globalEntry(s, version)) };
    },
    describe(name, version = DEFAULT_API_VERSION) {
      const o = objectOf(name);
      return o ? describeFor(o, version) : undefined;
    },
    isBulkSupported(sobject) {
      return objectOf(sobject)?.spec.bulkSupported !== false;
    },
    revision: () => revision,
    rowCount(sobject) {
      const o = objectOf(sobject);
      return o ? o.nextIndex : 0;
    },
    prepareQuery,
    getRecord(sobject, id) {
      const o = requireObject(sobject);
      const row = requireRow(o, id);
      const values = materialize(o, row);
      return Object.fromEntries(o.fields.map((f, i) => [f.name, values[i] ?? null]));
    },
    create(sobject, fields) {
      const o = requireObject(sobject);
      const given = checkFields(o, fields, 'create');
      const missing = o.fields.filter((f) => f.nillable === false && f.type !== 'boolean' && f.createable !== false && f.type !== 'id' && f.name !== 'OwnerId' && !given.some(([i]) => o.fields[i] === f));
      if (missing.length > 0) throw new OrgError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`, 400, missing.map((f) => f.name));
      const row = o.nextIndex;
      o.nextIndex += 1;
      const at = tick();
      const record: FieldValue[] = o.fields.map((f) => (f.type === 'boolean' ? false : null));
      for (const [f, v] of given) record[f] = v;
      const set = (name: string, v: FieldValue) => {
        const f = o.fieldIndex.get(name.toLowerCase());
        if (f !== undefined && (record[f] === null || name === 'Id')) record[f] = v;
      };
      const id = makeId(o.spec.keyPrefix!, row);
      set('Id', id);
      set('OwnerId', userId);
      set('CreatedById', userId);
      set('CreatedDate', new Date(at).toISOString());
      stamp(o, record, at);
      o.overlay.set(row, record);
      revision += 1;
      return { id };
    },
    update(sobject, id, fields) {
      const o = requireObject(sobject);
      const row = requireRow(o, id);
      if (isDeleted(o, row)) throw new OrgError('ENTITY_IS_DELETED', 'entity is deleted', 400);
      const given = checkFields(o, fields, 'update');
      const record = [...materialize(o, row)];
      for (const [f, v] of given) record[f] = v;
      stamp(o, record, tick());
      o.overlay.set(row, record);
      revision += 1;
    },
    delete(sobject, id) {
      const o = requireObject(sobject);
      const row = requireRow(o, id);
      if (isDeleted(o, row)) throw new OrgError('ENTITY_IS_DELETED', 'entity is deleted', 400);
      const record = [...materialize(o, row)];
      const at = tick();
      if (o.isDeletedField >= 0) record[o.isDeletedField] = true;
      stamp(o, record, at);
      o.overlay.set(row, record);
      o.deletedAt.set(row, at);
      revision += 1;
    },
    getDeleted(sobject, start, end): GetDeletedResult {
      const o = requireObject(sobject);
      const a = Date.parse(start);
      const b = Date.parse(end);
      const earliest = now() - 15 * DAY_MS;
      if (Number.isNaN(a) || Number.isNaN(b)) throw new OrgError('INVALID_REPLICATION_DATE', 'start and end must be valid dateTime values', 400);
      const idField = o.fieldIndex.get('id')!;
      const deletedRecords = [...o.deletedAt.entries()]
        .filter(([, at]) => at >= a && at <= b)
        .sort((x, y) => x[1] - y[1])
        .map(([row, at]) => ({ id: value(o, row, idField) as string, deletedDate: restDate(at) }));
      return { deletedRecords, earliestDateAvailable: restDate(Math.min(earliest, ...o.deletedAt.values())), latestDateCovered: restDate(Math.min(b, now())) };
    },
    getUpdated(sobject, start, end): GetUpdatedResult {
      const o = requireObject(sobject);
      const a = Date.parse(start);
      const b = Date.parse(end);
      if (Number.isNaN(a) || Number.isNaN(b)) throw new OrgError('INVALID_REPLICATION_DATE', 'start and end must be valid dateTime values', 400);
      const q = prepareQuery(`SELECT Id FROM ${o.spec.name} WHERE SystemModstamp >= ${new Date(a).toISOString()} AND SystemModstamp <= ${new Date(b).toISOString()}`, { includeDeleted: false });
      return { ids: [...q.rows()].map((r) => r.id), latestDateCovered: restDate(Math.min(b, now())) };
    },
  };
}

/** REST style: `2024-01-02T03:04:05.000+0000`. */
function restDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
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

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') {
    // Ids compare on their 15-character case-sensitive prefix.
    const x = a.length === 18 && b.length === 15 ? a.slice(0, 15) : a;
    const y = b.length === 18 && a.length === 15 ? b.slice(0, 15) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
