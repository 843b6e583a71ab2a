import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { toTlsError } from '../../../src/salesforce/pubsub/pubsub-client.js';

const failure = (code: number, details: string): ServiceError => Object.assign(new Error(details), { code, details, metadata: new Metadata() });
const ENDPOINT = 'pubsub.example.com:7443';

describe('Pub/Sub TLS failures', () => {
  it.each([
    ['No connection established. Last error: Error: self-signed certificate. Resolution note: ', /self-signed certificate/],
    // Node 24 adds a hint that does not apply to a certificate given in a file.
    ['No connection established. Last error: Error: self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca. Resolution note: ', /\(self-signed certificate\)/],
    ['No connection established. Last error: Error: unable to verify the first certificate', /unable to verify the first certificate/],
    ['No connection established. Last error: Error: certificate has expired', /certificate has expired/],
  ])('names an untrusted certificate and the setting that fixes it: %s', (details, reason) => {
    const error = toTlsError(failure(status.UNAVAILABLE, details), ENDPOINT)!;
    expect(error.code).toBe('TAP_PUBSUB_TLS_UNTRUSTED');
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/pubsub_ca_file/);
  });

  it('names a certificate for another host and the setting that fixes it', () => {
    const error = toTlsError(failure(status.UNAVAILABLE, "No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: a. is not in the cert's altnames"), ENDPOINT)!;
    expect(error.code).toBe('TAP_PUBSUB_TLS_UNTRUSTED');
    expect(error.message).toMatch(/another host name: set pubsub_url/);
  });

  it('names a plaintext listener met by a TLS client', () => {
    const error = toTlsError(failure(status.UNAVAILABLE, 'No connection established. Last error: Error: 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), ENDPOINT)!;
    expect(error.code).toBe('TAP_PUBSUB_NOT_TLS');
  });

  it('leaves other failures to the retry and classification of the stream', () => {
    expect(toTlsError(failure(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1'), ENDPOINT)).toBeUndefined();
    expect(toTlsError(failure(status.UNAUTHENTICATED, 'self-signed certificate'), ENDPOINT)).toBeUndefined();
  });
});
