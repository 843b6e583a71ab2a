/**
 * Builds, once per stream, a function from a row's field texts to its typed record. The
 * function is generated with `new Function` so each record is one fixed-shape object literal:
 * V8 then gives every record the same hidden class, and conversion costs about a quarter of a
 * generic loop over per-column converters (bench/records.ts).
 */
import type { ValueKind } from '../../catalog/types.js';
import type { OutputField } from '../read-plan.js';
import {
  toBooleanValue,
  toDateValue,
  toDatetimeValue,
  toIntegerValue,
  toNumberValue,
  toTimeValue,
  type ValueIssues,
} from './value-kinds.js';

export interface RecordShape {
  columns: { name: string; kind: ValueKind }[];
  output: OutputField[];
}

/**
 * Field texts in column order ('' for null) → the typed record; values kept as strings are
 * counted in `issues`. Columns of kind string/any/object may also hold a JSON object (REST `json`
 * fields), which is kept as is.
 */
export type RecordConverter = (fields: readonly unknown[], issues: ValueIssues) => Record<string, unknown>;

const CONVERTERS: Partial<Record<ValueKind, string>> = {
  boolean: 'bool',
  integer: 'int',
  number: 'num',
  datetime: 'dt',
  date: 'date',
  time: 'time',
};

function valueExpression(kind: ValueKind, column: number): string {
  const field = `f[${column}]`;
  const converter = CONVERTERS[kind];
  // Strings: '' is null, anything else is itself.
  return converter === undefined ? `(${field} || null)` : `${converter}(${field}, issues)`;
}

/** An object literal key; `__proto__` must be computed or it would set the prototype. */
function propertyKey(name: string): string {
  const literal = JSON.stringify(name);
  return name === '__proto__' ? `[${literal}]` : literal;
}

function kindOf(shape: RecordShape, column: number): ValueKind {
  const spec = shape.columns[column];
  if (spec === undefined) throw new RangeError(`Output refers to column ${column}, but there are ${shape.columns.length} columns`);
  return spec.kind;
}

export function buildRecordConverter(shape: RecordShape): RecordConverter {
  const properties = shape.output.map((out) => {
    if ('column' in out) return `${propertyKey(out.name)}: ${valueExpression(kindOf(shape, out.column), out.column)}`;
    const parts = Object.entries(out.components);
    const anyPresent = parts.map(([, column]) => `f[${column}] !== ''`).join(' || ') || 'false';
    const inner = parts.map(([key, column]) => `${propertyKey(key)}: ${valueExpression(kindOf(shape, column), column)}`).join(', ');
    return `${propertyKey(out.name)}: (${anyPresent}) ? { ${inner} } : null`;
  });
  const source = `return function convertRecord(f, issues) {\n  return {\n    ${properties.join(',\n    ')}\n  };\n};`;
  // Generated code reads only its arguments and the converters passed in here.
  const factory = new Function('bool', 'int', 'num', 'dt', 'date', 'time', source) as (...args: unknown[]) => RecordConverter;
  return factory(toBooleanValue, toIntegerValue, toNumberValue, toDatetimeValue, toDateValue, toTimeValue);
}

/** One generated converter per shape object, shared by a stream's pages and REST records. */
const converters = new WeakMap<RecordShape, RecordConverter>();

export function recordConverterFor(shape: RecordShape): RecordConverter {
  let converter = converters.get(shape);
  if (converter === undefined) {
    converter = buildRecordConverter(shape);
    converters.set(shape, converter);
  }
  return converter;
}
