import { X509Certificate, createPublicKey } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPairingCertificates,
  createSelfSignedCertificate,
  generateRsaKeyPair,
  normalisePublicKeyPem,
  generateHostId,
} from '../../../src/wire/certificates.js';
import { upgradeToTlsClient, upgradeToTlsServer } from '../../../src/wire/tls.js';
import { socketPair } from '../../helpers/socket-pair.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('pairing certificates', () => {
  it.each(['sha256', 'sha1'] as const)(
    'builds a root-signed host and device certificate (%s), as iTunes does',
    async (hash) => {
      const device = await generateRsaKeyPair();
      const certs = await createPairingCertificates(device.publicKeyPkcs1Pem, { signatureHash: hash });
      const root = new X509Certificate(certs.rootCertificatePem);
      const host = new X509Certificate(certs.hostCertificatePem);
      const deviceCert = new X509Certificate(certs.deviceCertificatePem);
      expect(root.verify(root.publicKey)).toBe(true);
      expect(host.verify(root.publicKey)).toBe(true);
      expect(deviceCert.verify(root.publicKey)).toBe(true);
      // The device certificate certifies the phone's own key.
      expect(deviceCert.publicKey.export({ type: 'pkcs1', format: 'pem' })).toBe(device.publicKeyPkcs1Pem);
      expect(root.ca).toBe(true);
      expect(host.ca).toBe(false);
      expect(root.serialNumber).toMatch(/^0+$/);
      expect(root.subject ?? '').toBe('');
      // The host key in the record matches the host certificate.
      expect(createPublicKey(certs.hostPrivateKeyPem).export({ type: 'spki', format: 'der' })).toEqual(
        host.publicKey.export({ type: 'spki', format: 'der' }),
      );
    },
  );

  it('accepts a device public key in SPKI form too and turns it into PKCS#1', async () => {
    const device = await generateRsaKeyPair();
    const spki = createPublicKey(device.publicKeyPkcs1Pem).export({ type: 'spki', format: 'pem' }).toString();
    expect(spki).toContain('BEGIN PUBLIC KEY');
    expect(normalisePublicKeyPem(spki)).toBe(device.publicKeyPkcs1Pem);
  });

  it('makes HostIDs in the uppercase 8-4-4-4-12 shape', () => {
    expect(generateHostId()).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });
});

describe('TLS upgrade of an open connection', () => {
  it('runs a TLS session between a host using its pairing certificate and a device with a self-signed one', async () => {
    const device = await generateRsaKeyPair();
    const certs = await createPairingCertificates(device.publicKeyPkcs1Pem, { signatureHash: 'sha1' });
    const { client, server, close } = await socketPair();
    cleanup = close;
    const [hostSide, deviceSide] = await Promise.all([
      upgradeToTlsClient(client, { certificatePem: certs.hostCertificatePem, privateKeyPem: certs.hostPrivateKeyPem }),
      upgradeToTlsServer(server, {
        certificatePem: createSelfSignedCertificate(device.privateKeyPem),
        privateKeyPem: device.privateKeyPem,
      }),
    ]);
    // The device sees the host's certificate and can check it against the pair record.
    const presented = deviceSide.getPeerX509Certificate();
    expect(presented?.raw).toEqual(new X509Certificate(certs.hostCertificatePem).raw);
    const echoed = new Promise<string>((resolve) => deviceSide.once('data', (d: Buffer) => resolve(d.toString())));
    hostSide.write('hello over TLS');
    expect(await echoed).toBe('hello over TLS');
    expect(hostSide.getProtocol()).toMatch(/TLSv1\.[23]/);
  });

  it('fails with WIRE_TLS_FAILED when the peer does not speak TLS', async () => {
    const device = await generateRsaKeyPair();
    const { client, server, close } = await socketPair();
    cleanup = close;
    server.on('data', () => server.end('this is not TLS\n'));
    await expect(
      upgradeToTlsClient(client, {
        certificatePem: createSelfSignedCertificate(device.privateKeyPem),
        privateKeyPem: device.privateKeyPem,
      }),
    ).rejects.toMatchObject({ code: 'WIRE_TLS_FAILED' });
  });
});
