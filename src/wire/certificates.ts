import { createPublicKey, generateKeyPair as generateKeyPairCallback, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface RsaKeyPair {
  /** PKCS#8 `BEGIN PRIVATE KEY`, the form libimobiledevice stores in pair records. */
  privateKeyPem: string;
  /** PKCS#1 `BEGIN RSA PUBLIC KEY`: what lockdownd returns as DevicePublicKey (libimobiledevice 1.3.0 reads only this).
   * */
  publicKeyPkcs1Pem: string;
}

/** RSA-2048 with Node's crypto: several times faster than node-forge's pure-JS generator. */
export async function generateRsaKeyPair(bits = 2048): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPkcs1Pem: publicKey };
}

export type SignatureHash = 'sha1' | 'sha256';

export interface PairingCertificates {
  rootCertificatePem: string;
  rootPrivateKeyPem: string;
  hostCertificatePem: string;
  hostPrivateKeyPem: string;
  deviceCertificatePem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * The three certificates of a pair record, built as iTunes and libimobiledevice build them: a fresh root CA and
 * host key, and a device certificate for the phone's own public key, all signed by the root; serial 0, empty
 * subject and issuer, ten years. SHA-256 by default (current libimobiledevice and pymobiledevice3 for iOS >= 4);
 * SHA-1 is what libimobiledevice 1.3.0 wrote.
 */
export async function createPairingCertificates(
  devicePublicKeyPem: string | Buffer,
  options: { signatureHash?: SignatureHash } = {},
): Promise<PairingCertificates> {
  const [root, host] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
  const rootKey = forge.pki.privateKeyFromPem(root.privateKeyPem);
  const devicePublicKey = forge.pki.publicKeyFromPem(normalisePublicKeyPem(devicePublicKeyPem));
  const digest = options.signatureHash === 'sha1' ? forge.md.sha1.create : forge.md.sha256.create;

  const rootCert = baseCertificate(forge.pki.setRsaPublicKey(rootKey.n, rootKey.e));
  rootCert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }]);
  rootCert.sign(rootKey, digest());

  const hostCert = baseCertificate(publicKeyOf(host.privateKeyPem));
  hostCert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
  ]);
  hostCert.sign(rootKey, digest());

  const deviceCert = baseCertificate(devicePublicKey);
  deviceCert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
  ]);
  deviceCert.sign(rootKey, digest());

  return {
    rootCertificatePem: forge.pki.certificateToPem(rootCert),
    rootPrivateKeyPem: root.privateKeyPem,
    hostCertificatePem: forge.pki.certificateToPem(hostCert),
    hostPrivateKeyPem: host.privateKeyPem,
    deviceCertificatePem: forge.pki.certificateToPem(deviceCert),
  };
}

/** A self-signed certificate for a key: what the virtual iPhone presents as a TLS server. */
export function createSelfSignedCertificate(privateKeyPem: string): string {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = baseCertificate(forge.pki.setRsaPublicKey(key.n, key.e));
  cert.setExtensions([{ name: 'basicConstraints', cA: false, critical: true }]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Accepts a public key as PKCS#1 or SPKI PEM (real devices send PKCS#1; some tools SPKI) and returns PKCS#1. */
export function normalisePublicKeyPem(pem: string | Buffer): string {
  return createPublicKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** An uppercase 8-4-4-4-12 hex identifier, the shape of HostID and SystemBUID. */
export function generateHostId(): string {
  const hex = randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function publicKeyOf(privateKeyPem: string): forge.pki.rsa.PublicKey {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  return forge.pki.setRsaPublicKey(key.n, key.e);
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '00';
  const now = new Date();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + TEN_YEARS_MS);
  cert.setSubject([]);
  cert.setIssuer([]);
  return cert;
}
