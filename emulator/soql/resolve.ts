/**
 * Resolves a SOQL field path (`Name`, `Owner.Name`, `Who.Email`) against the org's table into
 * its column describe and a row accessor that walks the relationships lazily.
 */
import { nameEntityField } from '../org/describe.js';
import { DEFAULT_API_VERSION, type ObjectState, type OrgTable } from '../org/table.js';
import { OrgError, type FieldDescribe, type FieldValue, type QueryColumn } from '../org/types.js';
import { indexOfId } from '../org/ids.js';
import type { FieldSpec } from '../org/spec.js';
import type { FieldRef, SoqlQuery } from './parse.js';

export type Accessor = (row: number) => FieldValue;

export interface Resolved {
  column: QueryColumn;
  accessor: Accessor;
  /** Relationship prefixes walked, with accessors to the parent row id at each step. */
  steps: { prefix: string; type: string; parentId: Accessor }[];
  type: string;
}

function invalidField(q: SoqlQuery, ref: FieldRef, message: string): OrgError {
  const snippet = q.text;
  return new OrgError('INVALID_FIELD', `\n${snippet}\n${' '.repeat(Math.max(0, ref.column - 1))}^\nERROR at Row:1:Column:${ref.column}\n${message}`);
}

export function resolveField(table: OrgTable, q: SoqlQuery, root: ObjectState, ref: FieldRef): Resolved {
  const { value, exists } = table;
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
    if (spec.referenceTo!.length > 1) return resolvePolymorphic(table, q, ref, k, current, rowOf, refField, relationships, relationshipTypes, steps);
    const target = table.objectOf(spec.referenceTo![0]!);
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
    column: { path: canonical, relationships, relationshipTypes, field: table.describeFor(owner, DEFAULT_API_VERSION).fields[f] as FieldDescribe },
    accessor, steps, type: spec.type,
  };
}

/**
 * A polymorphic relationship (Task.Who, Lead.Owner) lands on the `Name` entity: a few fields
 * common to every target, read from whichever object the id belongs to; it is the last step.
 */
function resolvePolymorphic(
  table: OrgTable, q: SoqlQuery, ref: FieldRef, k: number, from: ObjectState, parentRow: (row: number) => number, refField: number,
  relationships: string[], relationshipTypes: string[], steps: Resolved['steps'],
): Resolved {
  const { value } = table;
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
    const target = typeof id === 'string' ? table.rowOfId(id) : undefined;
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
}
