/**
 * Airbyte `spec`: the config JSON Schema (schemas/config.schema.json) as the connection
 * specification, plus `advanced_auth` so Airbyte's UI can run the OAuth refresh-token flow and
 * write client_id, client_secret and refresh_token into the flat config keys.
 */
import { cloneConfigSchema } from '../config/schema.js';
import type { MessageWriter } from '../io/line-writer.js';
import { buildSpecMessage, type AirbyteSpec } from '../protocol/airbyte/messages.js';

export const DOCUMENTATION_URL = 'https://github.com/tap-salesforce/tap-salesforce#readme';

export function buildSpec(): AirbyteSpec {
  return {
    documentationUrl: DOCUMENTATION_URL,
    protocol_version: '0.2.0',
    connectionSpecification: cloneConfigSchema(),
    advanced_auth: {
      auth_flow_type: 'oauth2.0',
      predicate_key: ['auth_type'],
      predicate_value: 'oauth_refresh_token',
      oauth_config_specification: {
        oauth_user_input_from_connector_config_specification: {
          type: 'object',
          additionalProperties: true,
          properties: { is_sandbox: { type: 'boolean', path_in_connector_config: ['is_sandbox'] } },
        },
        complete_oauth_output_specification: {
          type: 'object',
          additionalProperties: true,
          properties: { refresh_token: { type: 'string', path_in_connector_config: ['refresh_token'] } },
        },
        complete_oauth_server_input_specification: {
          type: 'object',
          additionalProperties: true,
          properties: { client_id: { type: 'string' }, client_secret: { type: 'string' } },
        },
        complete_oauth_server_output_specification: {
          type: 'object',
          additionalProperties: true,
          properties: {
            client_id: { type: 'string', path_in_connector_config: ['client_id'] },
            client_secret: { type: 'string', path_in_connector_config: ['client_secret'] },
          },
        },
      },
    },
  };
}

export async function runSpec(out: MessageWriter): Promise<void> {
  await out.writeMessage(buildSpecMessage(buildSpec()));
}
