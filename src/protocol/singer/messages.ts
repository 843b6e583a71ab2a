/**
 * Singer wire shapes (SPEC.md v0.3, singer-python `parse_message`) and pure builders. Types are
 * upper case (singer-python matches them exactly); SCHEMA always carries `key_properties`, even
 * empty, because singer-python requires the key.
 */
import type { JsonSchema } from '../../catalog/types.js';

export interface SingerSchemaMessage {
  type: 'SCHEMA';
  stream: string;
  schema: JsonSchema;
  key_properties: string[];
  bookmark_properties?: string[];
}

export interface SingerRecordMessage {
  type: 'RECORD';
  stream: string;
  record: Record<string, unknown>;
  version?: number;
  /** RFC 3339 with `Z`. */
  time_extracted?: string;
}

export interface SingerStateMessage {
  type: 'STATE';
  /** The complete state: the last one wins, and the next run's `--state` file is this value. */
  value: unknown;
}

export interface SingerActivateVersionMessage {
  type: 'ACTIVATE_VERSION';
  stream: string;
  version: number;
}

export type SingerMessage = SingerSchemaMessage | SingerRecordMessage | SingerStateMessage | SingerActivateVersionMessage;

export function buildSchemaMessage(
  stream: string,
  schema: JsonSchema,
  keyProperties: string[],
  bookmarkProperties?: string[],
): SingerSchemaMessage {
  const message: SingerSchemaMessage = { type: 'SCHEMA', stream, schema, key_properties: keyProperties };
  if (bookmarkProperties !== undefined && bookmarkProperties.length > 0) message.bookmark_properties = bookmarkProperties;
  return message;
}

export function buildRecordMessage(
  stream: string,
  record: Record<string, unknown>,
  options: { version?: number; timeExtracted?: Date | string } = {},
): SingerRecordMessage {
  const message: SingerRecordMessage = { type: 'RECORD', stream, record };
  if (options.version !== undefined) message.version = options.version;
  if (options.timeExtracted !== undefined) {
    message.time_extracted =
      typeof options.timeExtracted === 'string' ? options.timeExtracted : options.timeExtracted.toISOString();
  }
  return message;
}

export function buildStateMessage(value: unknown): SingerStateMessage {
  return { type: 'STATE', value };
}

/** Tells a target that rows of older `version`s of a full-table stream may be dropped. */
export function buildActivateVersionMessage(stream: string, version: number): SingerActivateVersionMessage {
  return { type: 'ACTIVATE_VERSION', stream, version };
}

export function encodeSingerLine(message: SingerMessage): string {
  return `${JSON.stringify(message)}\n`;
}
