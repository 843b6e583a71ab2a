/**
 * meltano.yml's plugin definition, its settings derived from schemas/config.schema.json, so the
 * definition users copy into their Meltano project always matches the config the tap validates.
 * `UPDATE_DOCS=1 npx vitest run test/contract/meltano.test.ts` rewrites meltano.yml from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Scalar } from 'yaml';

export interface SchemaProperty {
  type?: string;
  format?: string;
  enum?: string[];
  title?: string;
  description?: string;
  default?: unknown;
  airbyte_secret?: boolean;
  properties?: Record<string, SchemaProperty>;
}

export interface MeltanoSetting {
  name: string;
  label?: string;
  description?: string;
  kind: string;
  sensitive?: boolean;
  options?: { label: string; value: string }[];
  value?: unknown;
}

export function readConfigSchema(root: string): { properties: Record<string, SchemaProperty> } {
  return JSON.parse(readFileSync(join(root, 'schemas', 'config.schema.json'), 'utf8')) as { properties: Record<string, SchemaProperty> };
}

/** A property holds a secret when it is marked, or (an object) when one of its properties is. */
export function holdsSecret(p: SchemaProperty): boolean {
  return p.airbyte_secret === true || Object.values(p.properties ?? {}).some(holdsSecret);
}

/** Meltano's setting kind for a config property. Secrets are `string` + `sensitive: true` (`kind: password` is deprecated). */
export function meltanoKind(p: SchemaProperty): string {
  if (p.enum) return 'options';
  if (p.format === 'date-time') return 'date_iso8601';
  const byType: Record<string, string> = { boolean: 'boolean', integer: 'integer', number: 'decimal', array: 'array', object: 'object' };
  return byType[p.type ?? ''] ?? 'string';
}

export function buildMeltanoSettings(root: string): MeltanoSetting[] {
  return Object.entries(readConfigSchema(root).properties).map(([name, p]) => {
    const setting: MeltanoSetting = { name, kind: meltanoKind(p) };
    if (p.title) setting.label = p.title;
    // No `value`: Meltano writes a setting's value into the config file as if the user had set it,
    // which would override what the tap infers from absent settings (auth_type from the
    // credentials present) and pin defaults of this release. The default is told instead.
    const told = p.description && /default|absent/i.test(p.description);
    const description = p.default === undefined || told ? p.description : `${p.description ? `${p.description} ` : ''}Default: ${typeof p.default === 'string' ? p.default : JSON.stringify(p.default)}.`;
    if (description) setting.description = description;
    if (holdsSecret(p)) setting.sensitive = true;
    if (p.enum) setting.options = p.enum.map((value) => ({ label: value, value }));
    return setting;
  });
}

/** A string written in double quotes, whatever YAML version reads it. */
function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** The Meltano project of meltano.yml: the tap-salesforce extractor with select and metadata examples. */
export function buildMeltanoProject(root: string): Record<string, unknown> {
  // No `version: 1`: Meltano warns that the key is deprecated.
  return {
    default_environment: 'dev',
    project_id: 'tap-salesforce-example',
    environments: [{ name: 'dev' }],
    plugins: {
      extractors: [
        {
          name: 'tap-salesforce',
          namespace: 'tap_salesforce',
          label: 'Salesforce (tap-salesforce)',
          description: 'Salesforce source: Bulk API 2.0, incremental SystemModstamp state, every auth flow',
          // An npm package, not a pip one: no pip_url; `executable` is found on the PATH.
          executable: 'tap-salesforce',
          // As in the Docker image: a 1 MB young generation and one malloc arena keep a big Bulk read's memory low.
          env: { NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '1' },
          capabilities: ['catalog', 'discover', 'state', 'about', 'test', 'activate-version'],
          // One group per login flow: refresh token, username-password OAuth, SOAP, client credentials (on a My Domain login_url), JWT, access token.
          settings_group_validation: [['client_id', 'refresh_token'], ['client_id', 'client_secret', 'username', 'password'], ['username', 'password'], ['client_id', 'client_secret', 'login_url'], ['client_id', 'private_key', 'username'], ['access_token', 'instance_url']],
          settings: buildMeltanoSettings(root),
          // Quoted: Meltano reads YAML 1.1, where a bare timestamp becomes a datetime and reaches the tap without its Z.
          config: { start_date: quoted('2024-01-01T00:00:00Z'), streams_include: ['Account', 'Contact', 'Opportunity'] },
          select: ['Account.Id', 'Account.Name', 'Contact.*', 'Opportunity.*', '!Opportunity.Description'],
          metadata: {
            Account: { 'replication-method': 'INCREMENTAL', 'replication-key': 'SystemModstamp' },
            Opportunity: { 'replication-method': 'FULL_TABLE' },
          },
        },
      ],
      loaders: [{ name: 'target-jsonl', variant: 'andyh1203', pip_url: 'target-jsonl' }],
    },
  };
}
