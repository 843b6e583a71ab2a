import { X509Certificate, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createRandom, randomString } from './ids.js';

/** What a client needs to log in to the emulator, for every flow. */
export interface EmulatorCredentials {
  /** Consumer key of the connected app. */
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  securityToken: string;
  /** A refresh token issued to the app for the user (as after a web server flow). */
  refreshToken: string;
  /** Signs JWT bearer assertions the emulator accepts; undefined when only a certificate was configured. */
  privateKeyPem?: string | undefined;
  /** The certificate (or bare public key) configured on the connected app. */
  certificatePem: string;
  /** The connected app's callback URL for the web server flow. */
  redirectUri: string;
}

export interface CredentialOptions {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  securityToken?: string;
  /** X.509 certificate PEM (or public key PEM) that verifies JWT assertions. */
  jwtCertificatePem?: string;
  /** The matching private key, handed back in `credentials.privateKeyPem`. */
  jwtPrivateKeyPem?: string;
  redirectUri?: string;
}

let generatedKeyPair: { privateKeyPem: string; publicKeyPem: string } | undefined;

/** One RSA key pair per process: 2048-bit generation costs ~100 ms and tests start many emulators. */
function defaultKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  generatedKeyPair ??= (() => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  })();
  return generatedKeyPair;
}

export function buildCredentials(seed: number, options: CredentialOptions = {}): EmulatorCredentials {
  const random = createRandom(seed ^ 0xc0ffee);
  const keys = options.jwtCertificatePem
    ? { publicKeyPem: options.jwtCertificatePem, privateKeyPem: options.jwtPrivateKeyPem }
    : defaultKeyPair();
  return {
    clientId: options.clientId ?? `3MVG9${randomString(random, 80, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._')}`,
    clientSecret: options.clientSecret ?? randomString(random, 64, '0123456789ABCDEF'),
    username: options.username ?? 'integration@emulator.example.com',
    password: options.password ?? `Pw-${randomString(random, 16)}`,
    securityToken: options.securityToken ?? randomString(random, 24),
    refreshToken: `5Aep861${randomString(random, 80, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._')}`,
    privateKeyPem: keys.privateKeyPem,
    certificatePem: keys.publicKeyPem,
    redirectUri: options.redirectUri ?? 'http://localhost:1717/OauthRedirect',
  };
}

/** The public key of a certificate or public key PEM. */
export function toVerificationKey(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}
