/**
 * A catalog's schema for a field may differ from the one discovery gives it (Meltano's `schema:`
 * extras, hand-edited catalogs, catalogs of the Python tap): the catalog governs what is sent. A
 * change the values can follow is honoured by a cast (number → string, date → date-time as the
 * Python tap wrote dates); one they cannot (string → number, number → integer, object → string)
 * is refused with one error naming the stream and the property.
 */
import { ConfigError } from '../core/errors.js';
import type { FieldDefinition, FieldOverride, JsonSchema, ValueCast } from './types.js';

function types(schema: JsonSchema): Set<string> {
  const raw = schema.type;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Set(list.filter((t) => t !== 'null'));
}

const describe = (set: Set<string>) => [...set].join(' or ') || 'any';

/** Can every value of `have` be written as one of `want` without a cast? integer values are numbers. */
function fits(have: Set<string>, want: Set<string>): boolean {
  return [...have].every((t) => want.has(t) || (t === 'integer' && want.has('number')));
}

/**
 * How values of `field` become what `requested` describes: undefined when nothing changes (the
 * catalog's schema is the discovered one up to order, null, titles), else the schema to send and
 * the cast on every value.
 */
export function resolveOverride(stream: string, field: FieldDefinition, requested: unknown): FieldOverride | undefined {
  if (requested === null || typeof requested !== 'object' || Array.isArray(requested)) {
    throw new ConfigError('TAP_CATALOG_SCHEMA_UNSUPPORTED', `Expected the catalog's schema of ${stream}.${field.name} to be a JSON Schema object, got ${JSON.stringify(requested)?.slice(0, 60)}.`);
  }
  const schema = requested as JsonSchema;
  const want = types(schema);
  const have = types(field.schema);
  const same = JSON.stringify(schema) === JSON.stringify(field.schema);
  if (same) return undefined;
  let cast: ValueCast = 'none';
  if (want.size === 0 || fits(have, want)) {
    // A date sent where the catalog asks for date-time: midnight UTC, the Python tap's form.
    if (field.valueKind === 'date' && schema.format === 'date-time') cast = 'date-to-datetime';
  } else if (want.has('string') && ['integer', 'number', 'boolean'].includes(field.valueKind)) {
    cast = 'to-string';
  } else {
    throw new ConfigError(
      'TAP_CATALOG_SCHEMA_UNSUPPORTED',
      `The catalog's schema makes ${stream}.${field.name} ${describe(want)}, but Salesforce sends it as ${describe(have)} (${field.sfType}) and its values cannot all be written that way: change the property's schema back to what discovery gives, or deselect it.`,
    );
  }
  return { schema, cast };
}
