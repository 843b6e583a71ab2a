/**
 * Meltano: meltano.yml's plugin definition matches the config schema, and the tap works when
 * invoked exactly as Meltano invokes it (protocols.md §5), Meltano's own steps reproduced here:
 * the config file resolved from meltano.yml, TAP_SALESFORCE_* variables and setting kinds;
 * `--discover` into tap.properties.json; `!*.*`, the `select:` patterns and the `metadata:` rules
 * applied to it; `--config … --catalog … [--state …]` with the stored `singer_state` value.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { REPO_ROOT, runTap, type TapMessage, type TapRun } from '../helpers/run-tap.js';
import { buildMeltanoProject, holdsSecret, meltanoKind, readConfigSchema, type MeltanoSetting } from './meltano-plugin.js';

const meltanoPath = join(REPO_ROOT, 'meltano.yml');

interface MeltanoExtractor {
  name: string;
  namespace: string;
  executable: string;
  pip_url?: string;
  env?: Record<string, string>;
  capabilities: string[];
  settings: MeltanoSetting[];
  config: Record<string, unknown>;
  select: string[];
  metadata: Record<string, Record<string, unknown>>;
}

/** meltano.yml as Meltano reads it: ruamel.yaml loads YAML 1.1, so an unquoted date is a datetime. */
function readExtractor(): MeltanoExtractor {
  const project = parse(readFileSync(meltanoPath, 'utf8'), { schema: 'yaml-1.1' }) as { plugins: { extractors: MeltanoExtractor[] } };
  return project.plugins.extractors.find((e) => e.name === 'tap-salesforce')!;
}

describe('meltano.yml', () => {
  it('is generated from schemas/config.schema.json', () => {
    const header = '# Meltano project with the tap-salesforce plugin definition. tap-salesforce is an npm package\n# (`npm install -g tap-salesforce`), found on the PATH through `executable`. Settings are generated\n# from schemas/config.schema.json (UPDATE_DOCS=1 npx vitest run test/contract/meltano.test.ts).\n';
    const expected = `${header}${stringify(buildMeltanoProject(REPO_ROOT), { lineWidth: 0 })}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(meltanoPath, expected);
    expect(readFileSync(meltanoPath, 'utf8')).toBe(expected);
  });

  it('declares one setting per config property, with its kind and sensitivity, and no value Meltano would pass as set', () => {
    const plugin = readExtractor();
    const properties = readConfigSchema(REPO_ROOT).properties;
    expect(plugin.settings.map((s) => s.name)).toEqual(Object.keys(properties));
    for (const setting of plugin.settings) {
      const property = properties[setting.name]!;
      expect(setting.kind, setting.name).toBe(meltanoKind(property));
      expect(setting.sensitive === true, `${setting.name} sensitive`).toBe(holdsSecret(property));
      if (property.enum) expect(setting.options!.map((o) => o.value), setting.name).toEqual(property.enum);
      expect(setting.value, `${setting.name} value`).toBeUndefined();
    }
    const kinds = Object.fromEntries(plugin.settings.map((s) => [s.name, s.kind]));
    for (const secret of ['client_secret', 'refresh_token', 'password', 'security_token', 'private_key', 'access_token']) {
      expect(plugin.settings.find((s) => s.name === secret), secret).toMatchObject({ kind: 'string', sensitive: true });
    }
    expect(kinds).toMatchObject({ start_date: 'date_iso8601', end_date: 'date_iso8601', is_sandbox: 'boolean', max_records: 'integer', stream_where: 'object', streams_include: 'array', auth_type: 'options' });
    expect(plugin.settings.find((s) => s.name === 'credentials')).toMatchObject({ kind: 'object', sensitive: true });
  });

  it('follows the rules of the current Meltano project schema: known setting kinds, no deprecated kind or key, a group per login flow, dates kept as written', () => {
    const text = readFileSync(meltanoPath, 'utf8');
    const project = parse(text, { schema: 'yaml-1.1' }) as Record<string, unknown>;
    // Meltano 3+ deprecates the project `version` key and `kind: password` (use `sensitive: true`).
    expect(project).not.toHaveProperty('version');
    const plugin = readExtractor();
    const KINDS = new Set(['string', 'integer', 'decimal', 'boolean', 'date_iso8601', 'email', 'options', 'file', 'array', 'object', 'hidden']);
    for (const setting of plugin.settings) expect(KINDS.has(setting.kind), `${setting.name}: kind ${setting.kind}`).toBe(true);
    const names = new Set(plugin.settings.map((s) => s.name));
    const groups = (plugin as unknown as { settings_group_validation: string[][] }).settings_group_validation;
    for (const group of groups) for (const name of group) expect(names.has(name), name).toBe(true);
    expect(groups).toContainEqual(['client_id', 'client_secret', 'login_url']);
    // YAML 1.1 (ruamel, as Meltano reads it) keeps a quoted timestamp a string, Z included.
    expect(plugin.config.start_date).toBe('2024-01-01T00:00:00Z');
    const CAPABILITIES = new Set(['catalog', 'properties', 'discover', 'state', 'about', 'test', 'activate-version', 'stream-maps', 'schema-flattening', 'batch', 'log-based']);
    for (const capability of plugin.capabilities) expect(CAPABILITIES.has(capability), capability).toBe(true);
  });

  it('defines the extractor for an npm package with the capabilities the tap implements', () => {
    const plugin = readExtractor();
    expect(plugin).toMatchObject({ name: 'tap-salesforce', namespace: 'tap_salesforce', executable: 'tap-salesforce' });
    expect(plugin.pip_url).toBeUndefined();
    const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(packageJson.bin)).toContain(plugin.executable);
    expect(plugin.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state', 'about']));
    // Node runs with the Docker image's memory settings.
    const imageEnv = Object.fromEntries([...readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').matchAll(/^ENV (NODE_OPTIONS|MALLOC_ARENA_MAX)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(imageEnv)).toEqual(['NODE_OPTIONS', 'MALLOC_ARENA_MAX']);
    expect(plugin.env).toEqual(imageEnv);
  });
});

// ---- Meltano's behaviour, as src/meltano/core/{settings_service,setting_definition,plugin/singer/{base,tap,catalog}}.py implement it.

const TRUTHY = new Set(['true', '1', 'yes', 'on']);

/** `SettingDefinition.cast_value`: strings from the environment to the setting's kind. */
function castValue(setting: MeltanoSetting, value: unknown): unknown {
  // A YAML 1.1 timestamp is a Python datetime; Meltano keeps its isoformat().
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, '+00:00');
  if (typeof value === 'string') {
    if (setting.kind === 'boolean') return TRUTHY.has(value.toLowerCase());
    if (setting.kind === 'integer') return Number.parseInt(value, 10);
    if (setting.kind === 'decimal') return Number(value);
    if (setting.kind === 'object' || setting.kind === 'array') return JSON.parse(value) as unknown;
  }
  if (value !== undefined && setting.kind === 'options' && !setting.options!.some((o) => o.value === value)) throw new Error(`'${String(value)}' is not a valid choice for '${setting.name}'`);
  return value;
}

/** `SettingDefinition.stringify_value`, for the variables Meltano also exports to the tap. */
const stringifyValue = (setting: MeltanoSetting, value: unknown) => (typeof value === 'string' ? value : setting.kind === 'string' || setting.kind === 'decimal' ? String(value) : JSON.stringify(value));

/**
 * The config file Meltano writes (`tap.<uuid>.config.json`) and the environment it runs the tap
 * with: per setting, `TAP_SALESFORCE_<NAME>` over meltano.yml's `config:` over the setting's
 * `value`, cast by kind, unset ones left out.
 */
function resolveMeltanoConfig(plugin: MeltanoExtractor, env: Record<string, string>): { config: Record<string, unknown>; env: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const exported: Record<string, string> = { ...env };
  for (const setting of plugin.settings) {
    const variable = `${plugin.name.toUpperCase().replace(/-/g, '_')}_${setting.name.toUpperCase()}`;
    const raw = env[variable] ?? plugin.config?.[setting.name] ?? setting.value;
    const value = castValue(setting, raw);
    if (value === undefined || value === null) continue;
    config[setting.name] = value;
    exported[variable] = stringifyValue(setting, value);
  }
  return { config, env: exported };
}

interface MetadataRule {
  stream: string;
  breadcrumb: string[];
  key: string;
  value: unknown;
}

/** Python's fnmatch.fnmatchcase: `*`, `?`, `[seq]`, anchored. */
function fnmatch(name: string, pattern: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[' && pattern.indexOf(']', i + 1) > i) {
      const end = pattern.indexOf(']', i + 1);
      source += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's').test(name);
}

const propertyBreadcrumb = (props: string[]) => props.flatMap((p) => ['properties', p]);

/** `select_metadata_rules`: include rules first, then exclude rules. */
function selectMetadataRules(patterns: string[]): MetadataRule[] {
  const include: MetadataRule[] = [];
  const exclude: MetadataRule[] = [];
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const dot = pattern.indexOf('.');
    const stream = dot < 0 ? pattern : pattern.slice(0, dot);
    const property = dot < 0 ? undefined : pattern.slice(dot + 1);
    const rules = negated ? exclude : include;
    const select = (props?: string[]): MetadataRule => ({ stream, breadcrumb: props ? propertyBreadcrumb(props) : [], key: 'selected', value: !negated });
    if (property === undefined) rules.push(select(), select(['*']));
    else {
      if (!negated || property === '*') rules.push(select());
      const props = property.split('.');
      rules.push(select(props));
      if (!negated) for (let i = 1; i < props.length; i++) rules.push(select(props.slice(0, i)));
    }
  }
  return [...include, ...exclude];
}

/** `config_metadata_rules`: `<stream>[.<prop>…].<key>: value` from the flattened `metadata:`. */
function configMetadataRules(metadata: Record<string, unknown>): MetadataRule[] {
  const rules: MetadataRule[] = [];
  const flatten = (value: unknown, path: string[]): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) flatten(v, [...path, k]);
    else {
      const [stream, ...rest] = path;
      const key = rest.pop()!;
      rules.push({ stream: stream!, breadcrumb: propertyBreadcrumb(rest), key, value });
    }
  };
  flatten(metadata, []);
  return rules;
}

interface SingerCatalog {
  streams: ({ tap_stream_id: string; schema: { properties?: Record<string, unknown> }; metadata?: { breadcrumb: string[]; metadata: Record<string, unknown> }[] } & Record<string, unknown>)[];
}

/** `MetadataExecutor.visit`: missing metadata entries added, then every matching rule set in order. */
function applyMetadataRules(catalog: SingerCatalog, rules: MetadataRule[]): SingerCatalog {
  const matching = (stream: string, breadcrumb: string[]) => rules.filter((r) => fnmatch(stream, r.stream) && fnmatch(breadcrumb.join('.'), r.breadcrumb.join('.')));
  for (const stream of catalog.streams) {
    stream.metadata ??= [];
    const entries = stream.metadata;
    const ensure = (breadcrumb: string[]) => {
      if (!entries.some((m) => m.breadcrumb.join('.') === breadcrumb.join('.'))) entries.push({ breadcrumb, metadata: { inclusion: breadcrumb.length <= 2 ? 'automatic' : 'available' } });
    };
    ensure([]);
    // Legacy catalogs carry stream-level keys on the stream itself, underscored.
    for (const rule of matching(stream.tap_stream_id, [])) stream[rule.key.replace(/-/g, '_')] = rule.value;
    const visitProperties = (schema: { properties?: Record<string, unknown> }, prefix: string[]) => {
      for (const [name, inner] of Object.entries(schema.properties ?? {})) {
        ensure([...prefix, 'properties', name]);
        if (inner !== null && typeof inner === 'object') visitProperties(inner as { properties?: Record<string, unknown> }, [...prefix, 'properties', name]);
      }
    };
    visitProperties(stream.schema, []);
    for (const entry of entries) {
      for (const rule of matching(stream.tap_stream_id, entry.breadcrumb)) {
        if (rule.key === 'selected' && rule.value === true && entry.metadata.inclusion === 'unsupported') continue;
        entry.metadata[rule.key] = rule.value;
      }
    }
  }
  return catalog;
}

/** Rows of the org changed at or after `from`, deleted ones included (the tap reads queryAll). */
function orgIdsSince(emulator: Emulator, sobject: string, from: string): string[] {
  return [...emulator.org.prepareQuery(`SELECT Id FROM ${sobject} WHERE SystemModstamp >= ${from}`, { includeDeleted: true }).rows()].map((r) => r.id).sort();
}

const START_DATE = '2024-01-01T00:00:00.000Z';
const LOOKBACK_DAYS = 90;

describe('invoked as Meltano invokes it', () => {
  let emulator: Emulator;
  let plugin: MeltanoExtractor;
  let project: string;
  let files: { config: string; catalog: string; state: string };
  let env: Record<string, string>;
  let discovered: SingerCatalog;
  let first: TapRun;
  let firstMessages: TapMessage[];

  /** `meltano run tap-salesforce …` in sync mode: --state only when the state file has data. */
  const exec = (withState: boolean) => runTap(['--config', files.config, '--catalog', files.catalog, ...(withState ? ['--state', files.state] : [])], { dir: project, env });

  beforeAll(async () => {
    emulator = await startEmulator({ records: 200, seed: 13 });
    plugin = readExtractor();
    project = mkdtempSync(join(tmpdir(), 'meltano-project-'));
    const run = join(project, '.meltano', 'run', plugin.name);
    mkdirSync(run, { recursive: true });
    files = { config: join(run, `tap.${randomUUID()}.config.json`), catalog: join(run, 'tap.properties.json'), state: join(run, 'state.json') };
    // Credentials come from the environment (or .env), as users keep secrets out of meltano.yml;
    // no auth_type: the tap infers the password flow from the credentials present.
    const { auth_type: _authType, ...credentials } = emulator.tapConfig('password');
    const variables = Object.fromEntries(Object.entries({ ...credentials, lookback_window: `P${LOOKBACK_DAYS}D` }).map(([k, v]) => [`TAP_SALESFORCE_${k.toUpperCase()}`, v]));
    const resolved = resolveMeltanoConfig(plugin, variables);
    env = resolved.env;
    writeFileSync(files.config, JSON.stringify(resolved.config, null, 2));

    // 1. discovery: stdout to tap.properties.json, which must be JSON.
    const discover = await runTap(['--config', files.config, '--discover'], { dir: project, env });
    expect(discover.exitCode, discover.stderr).toBe(0);
    writeFileSync(files.catalog, discover.stdout);
    discovered = JSON.parse(readFileSync(files.catalog, 'utf8')) as SingerCatalog;
    // 2. catalog rules: deselect everything, then select:, then metadata:.
    const rules = [...selectMetadataRules(['!*.*']), ...selectMetadataRules(plugin.select), ...configMetadataRules(plugin.metadata)];
    writeFileSync(files.catalog, JSON.stringify(applyMetadataRules(JSON.parse(discover.stdout) as SingerCatalog, rules), null, 2));
    // 3. the first run: no state stored yet, so no --state.
    first = await exec(false);
    firstMessages = first.messages();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('writes the config Meltano would: meltano.yml values cast by kind, the environment over them', () => {
    const config = JSON.parse(readFileSync(files.config, 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ start_date: '2024-01-01T00:00:00Z', streams_include: ['Account', 'Contact', 'Opportunity'], lookback_window: `P${LOOKBACK_DAYS}D` });
    expect(config.auth_type).toBeUndefined();
    expect(discovered.streams.map((s) => s.tap_stream_id).sort()).toEqual(['Account', 'Contact', 'Opportunity']);
  });

  it('syncs the selected streams and properties only, each SCHEMA before its RECORDs, records valid against it', () => {
    expect(first.exitCode, first.stderr).toBe(0);
    const schemas = new Map<string, { properties: Record<string, unknown> }>();
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const validators = new Map<string, ReturnType<Ajv['compile']>>();
    for (const message of firstMessages) {
      if (message.type === 'SCHEMA') {
        schemas.set(message.stream as string, message.schema as { properties: Record<string, unknown> });
        validators.set(message.stream as string, ajv.compile(message.schema as object));
        expect(message.key_properties).toEqual(['Id']);
      } else if (message.type === 'RECORD') {
        const validate = validators.get(message.stream as string);
        expect(validate, `a SCHEMA before the first ${String(message.stream)} RECORD`).toBeDefined();
        if (!validate!(message.record)) throw new Error(`${String(message.stream)}: ${ajv.errorsText(validate!.errors)}`);
      }
    }
    const records = first.records();
    expect([...records.keys()].sort()).toEqual(['Account', 'Contact', 'Opportunity']);
    const discoveredFields = (name: string) => Object.keys(discovered.streams.find((s) => s.tap_stream_id === name)!.schema.properties!);
    // Account.Id and Account.Name, plus the replication key the tap always reads (inclusion automatic).
    for (const row of records.get('Account')!) expect(Object.keys(row).sort()).toEqual(['Id', 'Name', 'SystemModstamp']);
    for (const row of records.get('Contact')!) expect(Object.keys(row).sort()).toEqual(discoveredFields('Contact').sort());
    for (const row of records.get('Opportunity')!) expect(Object.keys(row).sort()).toEqual(discoveredFields('Opportunity').filter((f) => f !== 'Description').sort());
    for (const stream of ['Account', 'Contact']) {
      const got = records.get(stream)!.map((r) => r.Id as string).sort();
      expect(got, `${stream}: every row changed since start_date, once`).toEqual(orgIdsSince(emulator, stream, START_DATE));
    }
    const opportunities = records.get('Opportunity')!.map((r) => r.Id as string);
    expect(new Set(opportunities).size).toBe(opportunities.length);
    expect(opportunities).toEqual(expect.arrayContaining(orgIdsSince(emulator, 'Opportunity', START_DATE)));
  });

  it('emits STATE messages whose value is the full state, with bookmarks of the incremental streams', () => {
    const values = first.ofType('STATE').map((m) => m.value as { bookmarks: Record<string, { replication_key?: string; replication_key_value?: string }> });
    expect(values.length).toBeGreaterThan(0);
    const last = values.at(-1)!;
    for (const stream of ['Account', 'Contact']) {
      expect(last.bookmarks[stream], stream).toMatchObject({ replication_key: 'SystemModstamp', replication_key_value: expect.any(String) });
    }
    const types = firstMessages.map((m) => m.type);
    expect(types.lastIndexOf('STATE')).toBeGreaterThan(types.lastIndexOf('RECORD'));
  });

  it('passes `meltano config test`: a RECORD line appears on stdout', () => {
    expect(first.stdout.split('\n').some((line) => JSON.parse(line || '{}').type === 'RECORD')).toBe(true);
  });

  it('resumes from the stored singer_state: incremental streams re-emit only rows changed since bookmark − lookback', async () => {
    const value = first.ofType('STATE').at(-1)!.value as { bookmarks: Record<string, { replication_key_value: string }> };
    // The state backend stores {"singer_state": value}; Meltano writes the value to state.json.
    const stored = { singer_state: value };
    const changed = orgIdsSince(emulator, 'Contact', START_DATE)[0]!;
    emulator.mutate.update('Contact', changed, { LastName: 'Meltano-Changed' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    writeFileSync(files.state, JSON.stringify(stored.singer_state, null, 2));
    const second = await exec(true);
    expect(second.exitCode, second.stderr).toBe(0);
    const records = second.records();
    for (const stream of ['Account', 'Contact']) {
      const from = new Date(Date.parse(stored.singer_state.bookmarks[stream]!.replication_key_value) - LOOKBACK_DAYS * 86_400_000).toISOString();
      const rows = records.get(stream) ?? [];
      const older = rows.filter((r) => String(r.SystemModstamp) < from);
      expect(older.map((r) => r.SystemModstamp), `${stream} rows older than bookmark − lookback`).toEqual([]);
      expect(rows.map((r) => r.Id as string).sort(), `${stream}: every row changed since bookmark − lookback`).toEqual(orgIdsSince(emulator, stream, from));
      expect(rows.length, stream).toBeLessThan(first.records().get(stream)!.length);
    }
    expect(records.get('Contact')!.find((r) => r.Id === changed)).toMatchObject({ LastName: 'Meltano-Changed' });
    // FULL_TABLE by the metadata rule: the bookmark does not apply, the same rows come again.
    const ids = (run: TapRun) => run.records().get('Opportunity')!.map((r) => r.Id as string).sort();
    expect(ids(second)).toEqual(ids(first));
  });

  it('accepts the wrapped form too, as `meltano state get` prints it', async () => {
    const value = first.ofType('STATE').at(-1)!.value;
    writeFileSync(files.state, JSON.stringify({ singer_state: value }));
    const wrapped = await exec(true);
    expect(wrapped.exitCode, wrapped.stderr).toBe(0);
    expect(wrapped.records().get('Contact')!.length).toBeLessThan(first.records().get('Contact')!.length);
  });

  it('takes its settings from TAP_SALESFORCE_* variables with --config ENV (Meltano SDK convention)', async () => {
    const run = await runTap(['--config', 'ENV', '--test'], { env });
    expect(run.exitCode, run.stderr).toBe(0);
  });
});
