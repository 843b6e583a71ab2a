/**
 * Config problems in words: an ajv error becomes "Expected `field.path` to be <what>, got
 * <value>", and every problem of a config is reported at once, in one line.
 */
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../core/errors.js';
import { secrets } from '../core/secrets.js';
import { CONFIG_SCHEMA, SECRET_KEYS, type ConfigPropertySchema } from './schema.js';
import { showValue } from './values.js';

type Raw = Record<string, unknown>;

/** `/custom_queries/0/query` → `custom_queries[0].query` */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

function propertyAt(pointer: string): ConfigPropertySchema | undefined {
  const parts = pointer.split('/').slice(1);
  let prop: ConfigPropertySchema | undefined = { type: 'object', properties: CONFIG_SCHEMA.properties };
  for (const part of parts) {
    if (prop === undefined) return undefined;
    prop = /^\d+$/.test(part) && prop.items ? prop.items : prop.properties?.[part];
  }
  return prop;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  array: 'a list',
  object: 'an object',
};

export function describeAjvError(error: ErrorObject, root: Raw): string {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `Expected \`${fieldPath(error.instancePath, missing)}\` to be set`;
  }
  const path = fieldPath(error.instancePath);
  const prop = propertyAt(error.instancePath);
  const key = error.instancePath.split('/').at(-1) ?? '';
  const value = error.instancePath.split('/').slice(1).reduce<unknown>((v, p) => (v as Raw | undefined)?.[p], root);
  const got = showValue(value, SECRET_KEYS.has(key));
  const params = error.params as Record<string, unknown>;
  let expected: string;
  switch (error.keyword) {
    case 'type':
      expected = TYPE_WORDS[String(params.type)] ?? String(params.type);
      break;
    case 'pattern':
      expected = prop?.pattern_descriptor ?? `text matching ${String(params.pattern)}`;
      break;
    case 'enum':
      expected = `one of ${(params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
      break;
    case 'minimum':
      expected = `at least ${String(params.limit)}`;
      break;
    case 'maximum':
      expected = `at most ${String(params.limit)}`;
      break;
    case 'exclusiveMinimum':
      expected = `more than ${String(params.limit)}`;
      break;
    default:
      expected = error.message ?? 'valid';
  }
  return `Expected \`${path}\` to be ${expected}, got ${got}`;
}

/** One problem per field: a value of the wrong type also fails its pattern or enum. */
export function describeAjvErrors(errors: readonly ErrorObject[], root: Raw): string[] {
  const reported = new Set<string>();
  const problems: string[] = [];
  for (const error of errors) {
    const key = error.keyword === 'required' ? `${error.instancePath}/${String(error.params.missingProperty)}` : error.instancePath;
    if (reported.has(key)) continue;
    reported.add(key);
    problems.push(describeAjvError(error, root));
  }
  return problems;
}

export function configProblems(problems: string[]): ConfigError {
  const message = secrets.redact(problems.join('; '));
  return new ConfigError('TAP_CONFIG_INVALID', `Invalid config: ${message}.`);
}
