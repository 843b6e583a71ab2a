/**
 * The Singer protocol: `--config` files (or `ENV`), bare catalog on `--discover`, the whole
 * state in every STATE, no status or error messages on stdout (the exit code and stderr say
 * it), a rotated refresh token saved to the config file, METRIC timers per request.
 */
import { fileOrStdin, type ProtocolAdapter } from '../adapter.js';
import { encodeSingerCatalog, parseSingerCatalog } from './catalog.js';
import { SingerEncoder } from './encoder.js';
import { buildRequestTimer, encodeMetric } from './metrics.js';
import { parseSingerState } from './state.js';

export const singerProtocol: ProtocolAdapter = {
  displayName: 'Singer',
  configSources: (values) => values.map((value) => (value === 'ENV' ? { kind: 'env' } : fileOrStdin(value))),
  parseCatalog: (raw, options) => parseSingerCatalog(raw, options),
  parseState: (raw, warn) => parseSingerState(raw, warn),
  createEncoder: (options) => new SingerEncoder(options),
  encodeCatalog: (definitions) => `${JSON.stringify(encodeSingerCatalog(definitions))}\n`,
  encodeConnectionStatus: () => undefined,
  encodeErrorTrace: () => undefined,
  encodeConfigUpdate: () => undefined,
  encodeRequestLog: (request) => encodeMetric(buildRequestTimer(request)),
};
