export { WireError, type WireErrorCode } from './errors.js';
export { SocketReader, type ReadOptions } from './socket-reader.js';
export {
  encodePlistFrame,
  readPlistFrame,
  DEFAULT_MAX_PLIST_FRAME,
  type PlistFormat,
  type FrameReadOptions,
} from './plist-frame.js';
export { PlistConnection, writeAll, writeBuffered } from './plist-connection.js';
export { upgradeToTlsClient, upgradeToTlsServer, type TlsCredentials } from './tls.js';
export {
  generateRsaKeyPair,
  createPairingCertificates,
  createSelfSignedCertificate,
  normalisePublicKeyPem,
  generateHostId,
  type RsaKeyPair,
  type PairingCertificates,
  type SignatureHash,
} from './certificates.js';
