import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../emulator/pubsub/self-signed.js';

describe('the Pub/Sub TLS listener certificate', () => {
  it('is a valid self-signed X.509 certificate for the loopback names, signed by its own key', () => {
    const { certPem, keyPem } = createSelfSignedCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.issuer).toBe(cert.subject);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now());
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    // A new key and serial each start.
    expect(new X509Certificate(createSelfSignedCertificate().certPem).serialNumber).not.toBe(cert.serialNumber);
  });
});
