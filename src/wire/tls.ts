import { constants as cryptoConstants } from 'node:crypto';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { WireError } from './errors.js';

export interface TlsCredentials {
  certificatePem: string | Buffer;
  privateKeyPem: string | Buffer;
}

/**
 * Settings that work with every iOS generation and with pairing certificates (empty subject and issuer,
 * SHA-1 signatures from libimobiledevice 1.3.0): old phones speak only TLS 1.0, which OpenSSL 3 refuses above
 * security level 0. Peers are not verified by OpenSSL (their chain has no names to check); pairing code checks
 * what matters by hand.
 */
const LENIENT_TLS = {
  minVersion: 'TLSv1' as const,
  ciphers: 'ALL:!aNULL:!eNULL:@SECLEVEL=0',
  rejectUnauthorized: false,
};

/** Host side: start a TLS client handshake on an already-open tunnel (lockdown session, SSL services). */
export function upgradeToTlsClient(
  socket: Duplex,
  credentials: TlsCredentials,
  timeoutMs = 15_000,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      ...LENIENT_TLS,
      socket,
      cert: credentials.certificatePem,
      key: credentials.privateKeyPem,
      checkServerIdentity: () => undefined,
      // Some iOS versions need legacy renegotiation to be tolerated.
      secureOptions: cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT,
    });
    waitForHandshake(secure, 'secureConnect', timeoutMs, resolve, reject);
  });
}

/** Device side (the emulator): answer a TLS handshake on an already-open socket. */
export function upgradeToTlsServer(
  socket: Duplex,
  credentials: TlsCredentials,
  timeoutMs = 15_000,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket as never, {
      isServer: true,
      secureContext: tls.createSecureContext({
        ...LENIENT_TLS,
        cert: credentials.certificatePem,
        key: credentials.privateKeyPem,
      }),
      // libimobiledevice presents the pair record's RootCertificate, pymobiledevice3 and we the HostCertificate:
      // ask for one, accept either, and let the caller check it.
      requestCert: true,
      rejectUnauthorized: false,
    });
    // A TLSSocket built around an existing socket emits 'secure', not 'secureConnect'.
    waitForHandshake(secure, 'secure', timeoutMs, resolve, reject);
  });
}

function waitForHandshake(
  secure: tls.TLSSocket,
  event: 'secure' | 'secureConnect',
  timeoutMs: number,
  resolve: (s: tls.TLSSocket) => void,
  reject: (e: Error) => void,
): void {
  const timer = setTimeout(() => {
    cleanup();
    secure.destroy();
    reject(new WireError('WIRE_TIMEOUT', `the TLS handshake did not finish within ${Math.round(timeoutMs / 1000)} s`));
  }, timeoutMs);
  const onSecure = (): void => {
    cleanup();
    resolve(secure);
  };
  const onError = (error: Error): void => {
    cleanup();
    secure.destroy();
    reject(new WireError('WIRE_TLS_FAILED', `TLS handshake failed: ${error.message}`, { cause: error }));
  };
  const onClose = (): void => onError(new Error('the connection closed during the handshake'));
  function cleanup(): void {
    clearTimeout(timer);
    secure.off(event, onSecure);
    secure.off('error', onError);
    secure.off('close', onClose);
  }
  secure.once(event, onSecure);
  secure.once('error', onError);
  secure.once('close', onClose);
}
