/**
 * Validates Airbyte stdout against the upstream protocol schema (shared/specs/airbyte_protocol.yaml,
 * `#/definitions/AirbyteMessage`), plus what the schema cannot say: each line is one JSON object,
 * and exactly the payload key matching `type` is present (no other payload key, not even null).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const SPEC_PATH = process.env.AIRBYTE_PROTOCOL_YAML ?? join(import.meta.dirname, '..', '..', 'schemas', 'vendor', 'airbyte_protocol.yaml');

/** Envelope `type` → payload key (note the camelCase `connectionStatus`). */
export const PAYLOAD_KEYS: Readonly<Record<string, string>> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
  DESTINATION_CATALOG: 'destination_catalog',
};
const ALL_PAYLOAD_KEYS = new Set(Object.values(PAYLOAD_KEYS));
/** Payload keys a trace may carry, by trace type. */
const TRACE_KEYS: Readonly<Record<string, string>> = {
  ERROR: 'error',
  ESTIMATE: 'estimate',
  STREAM_STATUS: 'stream_status',
  ANALYTICS: 'analytics',
};

export interface ParsedAirbyteMessage {
  type: string;
  [key: string]: unknown;
}

let validators: { message: ValidateFunction; configuredCatalog: ValidateFunction } | undefined;

function loadValidators(): NonNullable<typeof validators> {
  if (validators) return validators;
  const schema = parseYaml(readFileSync(SPEC_PATH, 'utf8')) as { $id: string };
  // strict:false: the YAML uses the code-generation keyword `existingJavaType`.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats ships CommonJS; under NodeNext its default import is the module namespace.
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  ajv.addSchema(schema);
  const ref = (name: string): ValidateFunction => ajv.compile({ $ref: `${schema.$id}#/definitions/${name}` });
  validators = {
    message: ref('AirbyteMessage'),
    configuredCatalog: ref('ConfiguredAirbyteCatalog'),
  };
  return validators;
}

/** Problems with one parsed message; empty when valid. */
export function airbyteMessageProblems(message: unknown): string[] {
  const { message: validate } = loadValidators();
  const problems: string[] = [];
  if (!validate(message)) {
    for (const e of validate.errors ?? []) problems.push(`${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    return problems;
  }
  const m = message as Record<string, unknown>;
  const expected = PAYLOAD_KEYS[m.type as string];
  if (expected === undefined || !(expected in m) || m[expected] === null || m[expected] === undefined) {
    problems.push(`type ${String(m.type)} without its payload key ${String(expected)}`);
  }
  for (const key of Object.keys(m)) {
    if (ALL_PAYLOAD_KEYS.has(key) && key !== expected) problems.push(`type ${String(m.type)} also carries payload key ${key}`);
  }
  if (m.type === 'TRACE' && m.trace !== null && typeof m.trace === 'object') {
    const trace = m.trace as Record<string, unknown>;
    const key = TRACE_KEYS[trace.type as string];
    if (key === undefined || trace[key] === undefined) problems.push(`TRACE ${String(trace.type)} without ${String(key)}`);
  }
  if (m.type === 'STATE' && m.state !== null && typeof m.state === 'object') {
    const state = m.state as Record<string, unknown>;
    if (state.type === undefined) problems.push('STATE without state.type');
    if (state.sourceStats === undefined) problems.push('STATE without sourceStats');
  }
  return problems;
}

/**
 * Parses stdout as Airbyte lines and throws on the first problem: a blank or non-JSON line, an
 * invalid message, a missing or extra payload key. Returns the parsed messages.
 */
export function assertValidAirbyteLines(stdout: string): ParsedAirbyteMessage[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const messages: ParsedAirbyteMessage[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`stdout line ${index + 1} is not a JSON object: ${line.slice(0, 200)}`);
    }
    const problems = airbyteMessageProblems(parsed);
    if (problems.length > 0) {
      throw new Error(`stdout line ${index + 1} is not a valid AirbyteMessage: ${problems.join('; ')}\n${line.slice(0, 500)}`);
    }
    messages.push(parsed as ParsedAirbyteMessage);
  });
  return messages;
}

/** Validates a `--catalog` file body against `ConfiguredAirbyteCatalog`. */
export function configuredCatalogProblems(catalog: unknown): string[] {
  const { configuredCatalog } = loadValidators();
  if (configuredCatalog(catalog)) return [];
  return (configuredCatalog.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
}
