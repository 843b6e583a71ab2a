/**
 * The Airbyte protocol: one `--config` file, a CATALOG message, per-stream STATE messages,
 * CONNECTION_STATUS for check, a TRACE ERROR for the run's failure, and CONTROL
 * CONNECTOR_CONFIG for a rotated refresh token (the platform stores the config).
 */
import { fileOrStdin, type ProtocolAdapter } from '../adapter.js';
import { encodeAirbyteStreams, parseAirbyteCatalog } from './catalog.js';
import { AirbyteEncoder } from './encoder.js';
import { buildCatalogMessage, buildConnectionStatusMessage, buildConnectorConfigMessage, buildTapErrorTraceMessage, encodeAirbyteLine } from './messages.js';
import { parseAirbyteState } from './state.js';

export const airbyteProtocol: ProtocolAdapter = {
  displayName: 'Airbyte',
  configSources: (values) => values.map(fileOrStdin),
  parseCatalog: (raw) => parseAirbyteCatalog(raw),
  parseState: (raw, warn) => parseAirbyteState(raw, warn),
  createEncoder: ({ log, now }) => new AirbyteEncoder(log, now),
  encodeCatalog: (definitions) => encodeAirbyteLine(buildCatalogMessage({ streams: encodeAirbyteStreams(definitions) })),
  encodeConnectionStatus: (status, message) => encodeAirbyteLine(buildConnectionStatusMessage(status, message)),
  encodeErrorTrace: (error, { withStack }) => encodeAirbyteLine(buildTapErrorTraceMessage(error, { withStack })),
  encodeConfigUpdate: (config) => encodeAirbyteLine(buildConnectorConfigMessage(config)),
};
