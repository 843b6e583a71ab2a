/**
 * Configs generated from schemas/config.schema.json and mutated, for property tests. A case is a
 * valid config (auth from one flow, any other settings with values their schema allows) plus
 * mutations, each tagged with what the tap must do about it:
 * - `refuse`: a config error naming the setting;
 * - `warn`: a warning naming the setting (or a refusal);
 * - `same`: a spelling the tap documents as meaning the same (`"5"` for 5, `""` for unset).
 * Whatever a case holds, a run ends in one error line or goes on, never with a silently
 * different meaning.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';

export type Expectation = 'refuse' | 'warn' | 'same';

export interface Mutation {
  kind: string;
  /** The setting the tap's answer must name. */
  key: string;
  expect: Expectation;
}

export interface ConfigCase {
  config: Record<string, unknown>;
  mutations: Mutation[];
  /** Text mutations for file inputs (applied to JSON.stringify(config)); none in-process. */
  text?: (json: string) => string;
}

type Raw = Record<string, unknown>;

/** What each flow requires, from the schema's point of view of the tap (flows' own lists). */
export interface FlowCredentials {
  flow: string;
  config: Raw;
  /** Settings the flow cannot do without (for runs against the emulator, `login_url` too). */
  required: string[];
  /** Every setting the flow reads: another flow's credential outside it must be warned about. */
  uses: string[];
}

const PAST_DATES = ['2015-01-01T00:00:00Z', '2019-06-30', '2020-02-29T12:30:00.000Z', '2021-03-04 05:06:07', '2022-12-31T23:59:59+0000'];
const LATER_DATES = ['2023-01-01T00:00:00Z', '2024-05-05', '2025-10-10T10:10:10-07:00'];

/** Values that the schema (and the tap) accept, per setting that is not about auth. */
const VALID: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  start_date: fc.constantFrom(...PAST_DATES),
  end_date: fc.constantFrom(...LATER_DATES),
  lookback_window: fc.constantFrom('600', 'PT10M', 'P1D', '0'),
  stream_slice_step: fc.constantFrom('P30D', 'PT1H', 'P1Y'),
  api_version: fc.constantFrom('62.0', '63.0', '64.0', '65.0'),
  streams_include: fc.subarray(['Account', 'Contact', '*__c', 'Opp*']),
  streams_exclude: fc.subarray(['*History', 'Task']),
  streams_criteria: fc.subarray([{ criteria: 'starts with', value: 'Acc' }, { criteria: 'not contains', value: 'Share' }]),
  stream_where: fc.constantFrom({}, { Account: "Name != null" }),
  custom_queries: fc.constantFrom([], [{ name: 'BigAccounts', query: 'SELECT Id, Name FROM Account WHERE NumberOfEmployees > 100' }]),
};

function schemaValue(key: string): fc.Arbitrary<unknown> | undefined {
  const known = VALID[key];
  if (known) return known;
  const prop = CONFIG_SCHEMA.properties[key]!;
  if (prop.enum) return fc.constantFrom(...prop.enum);
  if (prop.type === 'boolean') return fc.boolean();
  const min = typeof prop.minimum === 'number' ? prop.minimum : typeof prop.exclusiveMinimum === 'number' ? prop.exclusiveMinimum + 1 : 0;
  const max = typeof prop.maximum === 'number' ? prop.maximum : min + 100_000;
  if (prop.type === 'integer' || prop.type === 'number') return fc.integer({ min, max });
  return undefined;
}

const AUTH_KEYS = new Set(['auth_type', 'client_id', 'client_secret', 'refresh_token', 'username', 'password', 'security_token', 'private_key', 'jwt_audience', 'access_token', 'instance_url', 'login_url', 'is_sandbox', 'credentials', 'persist_rotated_refresh_token']);

/** Settings a case may carry besides auth, with a valid value each. */
export const OTHER_SETTINGS = Object.keys(CONFIG_SCHEMA.properties).filter((k) => !AUTH_KEYS.has(k) && schemaValue(k) !== undefined);

function typo(key: string, at: number): string {
  const i = at % Math.max(1, key.length - 1);
  return `${key.slice(0, i)}${key[i + 1] ?? ''}${key[i]}${key.slice(i + 2)}`;
}

/** Mutations of one setting, given the value it has and whether the flow requires it. */
function mutationsOf(key: string, value: unknown, required: boolean): fc.Arbitrary<{ apply: (c: Raw) => void; mutation: Mutation }> {
  const prop = CONFIG_SCHEMA.properties[key]!;
  const set = (v: unknown) => (c: Raw) => void (c[key] = v);
  const options: fc.Arbitrary<{ apply: (c: Raw) => void; mutation: Mutation }>[] = [];
  const m = (kind: string, expect: Expectation, apply: (c: Raw) => void) => options.push(fc.constant({ apply, mutation: { kind, key, expect } }));
  m('empty string', required ? 'refuse' : 'same', set(''));
  m('null', required ? 'refuse' : 'same', set(null));
  options.push(
    fc.nat({ max: 40 }).map((at) => ({
      apply: (c: Raw) => {
        const other = typo(key, at);
        if (other === key) return;
        delete c[key];
        c[other] = value;
      },
      mutation: { kind: 'misspelt key', key: required ? key : typo(key, at), expect: typo(key, at) === key ? 'same' : required ? 'refuse' : 'warn' },
    })),
  );
  m('object value', 'refuse', set({ value }));
  if (prop.type === 'string' || prop.type === 'integer' || prop.type === 'number') m('list value', 'refuse', set([value, value]));
  if (prop.type === 'integer' || prop.type === 'number') {
    m('boolean for a number', 'refuse', set(true));
    m('number as text', 'same', set(String(value)));
    m('word for a number', 'refuse', set('many'));
    if (typeof prop.maximum === 'number') m('above the maximum', 'refuse', set(prop.maximum + 1));
    if (typeof prop.minimum === 'number') m('below the minimum', 'refuse', set(prop.minimum - 1));
    if (prop.type === 'integer') m('fraction for a whole number', 'refuse', set(Number(value) + 0.5));
  }
  if (prop.type === 'boolean') {
    m('boolean as text', 'same', set(String(value)));
    m('word for a boolean', 'refuse', set('perhaps'));
    m('number for a boolean', 'refuse', set(7));
  }
  if (prop.enum) m('value outside the list', 'refuse', set('something_else'));
  if (key === 'login_url' || key === 'instance_url') {
    for (const [kind, suffix] of [['query string', '?startURL=%2Fhome'], ['fragment', '#section'], ['path', '/services/oauth2']] as const) {
      m(`URL with a ${kind}`, 'refuse', set(`${String(value).replace(/\/$/, '')}${suffix}`));
    }
    m('URL with credentials', 'refuse', set(String(value).replace('://', '://admin:url-secret-9@')));
    m('URL with a trailing slash', 'same', set(`${String(value).replace(/\/$/, '')}/`));
    m('URL padded with spaces', 'refuse', set(` ${String(value)} `));
  }
  if (key === 'start_date') m('start date in the future', 'refuse', set('2099-01-01T00:00:00Z'));
  if (key === 'end_date') m('end date before the start date', 'refuse', (c) => ((c.start_date = '2024-06-01T00:00:00Z'), (c.end_date = '2024-01-01T00:00:00Z')));
  m('nested in credentials with another value', 'warn', (c) => {
    c.credentials = { ...(c.credentials as Raw | undefined), [key]: typeof value === 'string' ? `${value}-other` : typeof value === 'number' ? value + 1 : !value };
  });
  return fc.oneof(...options);
}

/** Keys no setting has, some of them names every JavaScript object answers to. */
const STRANGE_KEYS = ['constructor', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf', 'Client_ID', 'startDate', 'api', 'apiVersion'];

/**
 * Cases for the given flows' credentials: a valid config with 0–3 mutations. `withText` adds
 * mutations of the file's text (BOM, repeated key, deep nesting) for runs through the CLI.
 */
export function configCases(flows: FlowCredentials[], options: { withText?: boolean; otherFlowKeys?: Readonly<Record<string, string>> } = {}): fc.Arbitrary<ConfigCase> {
  const settings = fc.subarray(OTHER_SETTINGS, { maxLength: 8 }).chain((keys) => fc.tuple(...keys.map((k) => schemaValue(k)!.map((v) => [k, v] as const))));
  return fc
    .tuple(fc.constantFrom(...flows), settings, fc.nat({ max: 3 }), fc.infiniteStream(fc.nat()))
    .chain(([flow, pairs, count, seeds]) => {
      const base: Raw = { ...flow.config, ...Object.fromEntries(pairs) };
      const keys = Object.keys(base).filter((k) => CONFIG_SCHEMA.properties[k] !== undefined && k !== 'auth_type');
      const picks = [...new Set([...seeds.take(count)].map((n) => keys[n % keys.length]!))];
      const mutations = picks.map((key) => mutationsOf(key, base[key], flow.required.includes(key)));
      const extras: fc.Arbitrary<{ apply: (c: Raw) => void; mutation: Mutation }>[] = [
        fc.constantFrom(...STRANGE_KEYS).map((key) => ({ apply: (c: Raw) => void (c[key] = 'x'), mutation: { kind: 'unknown key', key, expect: 'warn' as const } })),
      ];
      const otherFlowKeys = options.otherFlowKeys ?? {};
      const unused = Object.keys(otherFlowKeys).filter((k) => !(k in base) && !flow.uses.includes(k));
      if (unused.length > 0) {
        extras.push(fc.constantFrom(...unused).map((key) => ({ apply: (c: Raw) => void (c[key] = otherFlowKeys[key]), mutation: { kind: "another flow's credential", key, expect: 'warn' as const } })));
      }
      const extra = fc.option(fc.oneof(...extras), { nil: undefined });
      const text = options.withText
        ? fc.option(
            fc.constantFrom(
              { kind: 'byte-order mark', expect: 'same' as const, key: '', edit: (json: string) => `\uFEFF${json}` },
              { kind: 'repeated key', expect: 'refuse' as const, key: 'auth_type', edit: (json: string) => json.replace(/^\{/, '{"auth_type": "soap",') },
              { kind: 'nested 3,000 levels deep', expect: 'refuse' as const, key: 'config', edit: (json: string) => json.replace(/^\{/, `{"deep": ${'['.repeat(3000)}${']'.repeat(3000)},`) },
              { kind: 'trailing text', expect: 'refuse' as const, key: 'config', edit: (json: string) => `${json} {}` },
            ),
            { nil: undefined },
          )
        : fc.constant(undefined);
      return fc.tuple(fc.tuple(...mutations), extra, text).map(([applied, more, textEdit]) => {
        const config = structuredClone(base);
        const all = [...applied, ...(more ? [more] : [])];
        for (const { apply } of all) apply(config);
        const result: ConfigCase = { config, mutations: all.map((a) => a.mutation) };
        if (textEdit) {
          result.mutations.push({ kind: textEdit.kind, key: textEdit.key, expect: textEdit.expect });
          result.text = textEdit.edit;
        }
        return result;
      });
    });
}

/** Secrets a case holds, to look for in every output. */
export function secretsOf(config: Raw): string[] {
  const found: string[] = ['url-secret-9'];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string' && /secret|password|token|private_key/.test(key) && value.length >= 6) found.push(value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(config, '');
  return found;
}

/** The shared verdict: what the tap answered against what each mutation demands. */
export function judgeConfigCase(c: ConfigCase, outcome: { error?: { code: string; message: string }; warnings: string[]; output: string }): void {
  const story = JSON.stringify(c.mutations);
  for (const secret of secretsOf(c.config)) expect(outcome.output, `${story}: a secret in the output`).not.toContain(secret);
  const refusals = c.mutations.filter((m) => m.expect === 'refuse');
  if (refusals.length > 0) {
    expect(outcome.error, `${story}: accepted`).toBeDefined();
    expect(refusals.some((m) => outcome.error!.message.includes(m.key)), `${story}: the error does not name the setting: ${outcome.error!.message}`).toBe(true);
    return;
  }
  if (c.mutations.some((m) => m.expect === 'warn')) {
    if (outcome.error !== undefined) return;
    for (const m of c.mutations.filter((x) => x.expect === 'warn')) {
      expect(outcome.warnings.some((w) => w.includes(`\`${m.key}\``)), `${story}: no warning names ${m.key}: ${JSON.stringify(outcome.warnings)}`).toBe(true);
    }
    return;
  }
  expect(outcome.error, `${story}: a valid config was refused`).toBeUndefined();
  expect(outcome.warnings, story).toEqual([]);
}
