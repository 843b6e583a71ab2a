/**
 * Errors of the Pub/Sub API that read modes tell apart, in a module of their own: importing them
 * does not load gRPC, which only runs that read change events load (it costs every other run
 * about 15 MB).
 */
import { TapError } from '../../core/errors.js';

/** The replay id to resume from is no longer retained (72 hours), or the server cannot use it. */
export class PubSubReplayIdError extends TapError {
  constructor(message: string, cause?: unknown) {
    super('SF_PUBSUB_REPLAY_ID_UNAVAILABLE', message, { kind: 'salesforce', cause });
    this.name = 'PubSubReplayIdError';
  }
}
