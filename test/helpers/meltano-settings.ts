/**
 * meltano.yml's settings, derived from schemas/config.schema.json, so the plugin definition users
 * copy into their Meltano project always matches the config the tap validates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Property {
  type?: string;
  format?: string;
  enum?: string[];
  title?: string;
  description?: string;
  default?: unknown;
  airbyte_secret?: boolean;
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

export function buildMeltanoSettings(root: string): MeltanoSetting[] {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', 'config.schema.json'), 'utf8')) as { properties: Record<string, Property> };
  return Object.entries(schema.properties)
    // Airbyte's nested credentials object has flat equivalents, which Meltano users set.
    .filter(([name]) => name !== 'credentials')
    .map(([name, p]) => {
      const kind = p.airbyte_secret
        ? 'password'
        : p.enum
          ? 'options'
          : p.format === 'date-time'
            ? 'date_iso8601'
            : p.type === 'boolean'
              ? 'boolean'
              : p.type === 'integer'
                ? 'integer'
                : p.type === 'number'
                  ? 'decimal'
                  : p.type === 'array'
                    ? 'array'
                    : p.type === 'object'
                      ? 'object'
                      : 'string';
      const setting: MeltanoSetting = { name, kind };
      if (p.title) setting.label = p.title;
      if (p.description) setting.description = p.description;
      if (p.airbyte_secret) setting.sensitive = true;
      if (p.enum) setting.options = p.enum.map((value) => ({ label: value, value }));
      if (p.default !== undefined && !p.airbyte_secret) setting.value = p.default;
      return setting;
    });
}

/** The plugin definition of meltano.yml, settings included. */
export function buildMeltanoProject(root: string): Record<string, unknown> {
  return {
    version: 1,
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
          // An npm package, not a pip one: install it with `npm install -g tap-salesforce`.
          executable: 'tap-salesforce',
          capabilities: ['catalog', 'discover', 'state', 'about', 'test'],
          settings_group_validation: [['client_id', 'refresh_token'], ['client_id', 'client_secret', 'username', 'password'], ['username', 'password'], ['client_id', 'private_key', 'username'], ['access_token', 'instance_url']],
          settings: buildMeltanoSettings(root),
          config: { start_date: '2024-01-01T00:00:00Z', streams_include: ['Account', 'Contact', 'Opportunity'] },
          select: ['Account.*', 'Contact.Id', 'Contact.Email', 'Contact.LastName', 'Contact.SystemModstamp', 'Opportunity.*', '!Opportunity.Description'],
        },
      ],
      loaders: [{ name: 'target-jsonl', variant: 'andyh1203', pip_url: 'target-jsonl' }],
    },
  };
}
