import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { buildSpec } from '../../../src/commands/spec.js';
import { buildAbout } from '../../../src/commands/about.js';
import { parseConfig } from '../../../src/config/parse-config.js';
import { FORBIDDEN_KEYWORDS, SECRET_NAMES, walk, type SchemaNode as Node } from '../../helpers/airbyte-spec-rules.js';

const schemaFile = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'config.schema.json'), 'utf8')) as Record<string, unknown>;
const spec = buildSpec();
const connection = spec.connectionSpecification as Record<string, unknown>;


describe('spec follows the Airbyte spec rules (CAT TestSpec)', () => {
  it('serves schemas/config.schema.json unchanged as the connection specification', () => {
    expect(connection).toEqual(schemaFile);
  });

  it('uses no forbidden keywords and sets additionalProperties only to true', () => {
    walk(connection, (n, path) => {
      if (path.at(-1) === 'properties') return; // property names are exempt
      for (const k of FORBIDDEN_KEYWORDS) expect(k in n, `${k} at ${path.join('.')}`).toBe(false);
      if ('additionalProperties' in n) expect(n.additionalProperties).toBe(true);
    });
  });

  it('marks every secret-named string property with airbyte_secret, and nothing else that cannot hold one', () => {
    walk(connection, (n) => {
      const props = n.properties as Record<string, Node> | undefined;
      if (!props || typeof props !== 'object') return;
      for (const [name, p] of Object.entries(props)) {
        const canHoldSecret = ['string', 'integer', 'number'].includes(String(p.type)) && !('const' in p);
        if (SECRET_NAMES.has(name) && canHoldSecret) expect(p.airbyte_secret, name).toBe(true);
        if (!canHoldSecret) expect(p.airbyte_secret, name).toBeUndefined();
      }
    });
  });

  it('has distinct enums, non-empty objects, single types and valid array items', () => {
    walk(connection, (n, path) => {
      if (path.at(-1) === 'properties') return;
      if (Array.isArray(n.enum)) expect(new Set(n.enum).size).toBe(n.enum.length);
      if (n.type === 'object') expect('properties' in n || 'oneOf' in n, path.join('.')).toBe(true);
      if (Array.isArray(n.type)) expect(n.type.length === 1 || (n.type.length === 2 && n.type[1] === 'null')).toBe(true);
      if (n.type === 'array') expect(['object', 'string', 'number', 'integer']).toContain((n.items as Node).type);
    });
  });

  it('has no duplicate order and groups only at the top level', () => {
    const props = connection.properties as Record<string, Node>;
    const orders = Object.values(props).map((p) => p.order);
    expect(new Set(orders).size).toBe(orders.length);
    const groups = new Set((connection.groups as { id: string }[]).map((g) => g.id));
    for (const p of Object.values(props)) if (p.group !== undefined) expect(groups.has(String(p.group))).toBe(true);
    walk(props, (n, path) => {
      if (path.length > 1 && path.at(-2) === 'properties') expect(n.group).toBeUndefined();
    });
  });

  it('points every advanced_auth path at a property of the spec', () => {
    const auth = spec.advanced_auth as Record<string, unknown>;
    const props = connection.properties as Record<string, Node>;
    expect(props[(auth.predicate_key as string[])[0]!]!.enum).toContain(auth.predicate_value);
    walk(auth.oauth_config_specification, (n) => {
      if (Array.isArray(n.path_in_connector_config)) expect(Object.keys(props)).toContain((n.path_in_connector_config as string[])[0]);
    });
  });

  it('accepts configs in the Singer and Airbyte layouts', () => {
    const validate = new Ajv({ strict: false }).compile(connection);
    const configs = [
      { client_id: 'a', client_secret: 'b', refresh_token: 'c', start_date: '2024-01-01T00:00:00Z', is_sandbox: false },
      { credentials: { auth_type: 'Client', client_id: 'a', client_secret: 'b', refresh_token: 'c' }, start_date: '2024-01-01', streams_criteria: [{ criteria: 'starts with', value: 'Acc' }], stream_slice_step: 'P30D' },
      { auth_type: 'password', client_id: 'a', client_secret: 'b', username: 'u', password: 'p', security_token: 't', lookback_window: '600' },
    ];
    for (const c of configs) {
      expect(validate(c), JSON.stringify(validate.errors)).toBe(true);
      expect(() => parseConfig(c)).not.toThrow();
    }
  });
});

describe('--about', () => {
  it('has exactly the Meltano SDK keys and the config schema as settings, secrets marked', () => {
    const about = buildAbout();
    expect(Object.keys(about).sort()).toEqual(['capabilities', 'description', 'name', 'sdk_version', 'settings', 'supported_python_versions', 'version']);
    const settings = about.settings as { properties: Record<string, Node> };
    expect(Object.keys(settings.properties)).toEqual(Object.keys(schemaFile.properties as object));
    for (const [name, p] of Object.entries(schemaFile.properties as Record<string, Node>)) {
      expect(settings.properties[name]!.secret === true, name).toBe(p.airbyte_secret === true);
      expect(settings.properties[name]!.airbyte_secret).toBeUndefined();
    }
    expect(about.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state', 'about']));
  });
});
