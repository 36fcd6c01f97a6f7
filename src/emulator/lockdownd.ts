import { X509Certificate, randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging.js';
import { LOCKDOWN_SERVICE_TYPE } from '../lockdown/protocol.js';
import { isPlistDict, type PlistDict } from '../plist/index.js';
import { PlistConnection, WireError, encodePlistFrame, upgradeToTlsServer, writeAll } from '../wire/index.js';
import { checkSettable, checkRemovable, isPublicBeforeSession } from './lockdown-values.js';
import { newEscrowBag } from './device-pairings.js';
import type { VirtualDevice } from './virtual-device.js';

/** lockdownd's messages are small (activation records are the biggest, ~10 KB): anything far larger is hostile. */
const MAX_LOCKDOWN_FRAME = 1024 * 1024;
/** A connection that says nothing for this long is dropped, so abandoned clients do not pile up. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

interface Session {
  id: string;
  hostId: string;
}

type Outcome = { reply: PlistDict; after?: 'tls' | 'close' };

/**
 * lockdownd on TCP 62078 for one connection: 4-byte big-endian length + plist in (XML or binary), XML out,
 * every reply echoing `Request` (libimobiledevice/libimobiledevice src/lockdown.c `lockdown_check_result` needs
 * it). After StartSession the same socket carries TLS, the device being the server
 * (native-notes/protocols/lockdownd.md "Framing and replies", "Session and TLS").
 */
export function serveLockdown(socket: Duplex, device: VirtualDevice, logger: Logger): void {
  const connection = new LockdownConnection(socket, device, logger.child({ daemon: 'lockdownd' }));
  connection.run().catch((error: unknown) => {
    logger.error({ err: (error as Error).message }, 'lockdownd: connection handler failed');
    socket.destroy();
  });
}

class LockdownConnection {
  private connection: PlistConnection;
  private session: Session | undefined;

  constructor(
    socket: Duplex,
    private readonly device: VirtualDevice,
    private readonly logger: Logger,
  ) {
    this.connection = this.plistConnection(socket);
  }

  async run(): Promise<void> {
    for (;;) {
      let request;
      try {
        request = await this.connection.receive({ timeoutMs: IDLE_TIMEOUT_MS, waitingFor: 'lockdown request' });
      } catch (error) {
        if (!(error instanceof WireError && error.code === 'WIRE_CLOSED')) {
          this.logger.warn(
            { err: (error as Error).message, code: (error as WireError).code },
            'lockdownd: dropping a connection that sent a bad frame',
          );
        }
        this.connection.close();
        return;
      }
      if (!isPlistDict(request)) {
        this.logger.warn('lockdownd: a request that is not a dict; closing');
        this.connection.close();
        return;
      }
      const outcome = await this.handle(request);
      if (outcome.after === 'tls') {
        if (!(await this.startTls(outcome.reply))) return;
        continue;
      }
      try {
        await this.connection.send(outcome.reply);
      } catch {
        this.connection.close();
        return;
      }
      if (outcome.after === 'close') {
        this.connection.close();
        return;
      }
    }
  }

  private async handle(request: PlistDict): Promise<Outcome> {
    const name = request.Request;
    this.logger.debug(
      { request: name, label: request.Label, key: request.Key, domain: request.Domain },
      'lockdownd request',
    );
    if (typeof name !== 'string') return { reply: { Error: 'MissingRequest' } };
    const fail = (error: string, extra: PlistDict = {}): Outcome => ({
      reply: { ...extra, Request: name, Error: error },
    });
    switch (name) {
      case 'QueryType':
        return { reply: { Request: name, Type: LOCKDOWN_SERVICE_TYPE } };
      case 'GetValue':
        return this.getValue(request);
      case 'SetValue':
      case 'RemoveValue':
        return this.changeValue(name, request);
      case 'Pair':
        return this.pair(request);
      case 'ValidatePair': {
        const hostId = hostIdOf(request);
        return hostId && this.device.pairing(hostId) ? { reply: { Request: name } } : fail('InvalidHostID');
      }
      case 'Unpair': {
        const hostId = hostIdOf(request);
        if (!hostId || !(await this.device.removePairing(hostId))) return fail('InvalidHostID');
        this.logger.info({ hostId }, 'host unpaired');
        return { reply: { Request: name } };
      }
      case 'StartSession': {
        if (this.session) return fail('SessionActive');
        const hostId = request.HostID;
        if (typeof hostId !== 'string') return fail('MissingHostID');
        if (!this.device.pairing(hostId)) return fail('InvalidHostID');
        this.session = { id: randomUUID().toUpperCase(), hostId };
        return { reply: { Request: name, SessionID: this.session.id, EnableSessionSSL: true }, after: 'tls' };
      }
      case 'StopSession': {
        if (!this.session) return fail('SessionInactive');
        if (request.SessionID !== this.session.id) return fail('InvalidSessionID');
        // The host now sends close_notify and closes; 1.3.0 tools never speak plaintext after this.
        this.session = undefined;
        return { reply: { Request: name, Result: 'Success' } };
      }
      case 'StartService':
        return this.startService(request);
      case 'Goodbye':
        return { reply: { Request: name, Result: 'Success' }, after: 'close' };
      default:
        this.logger.warn({ request: name }, 'lockdownd: unknown request');
        return fail('InvalidRequest');
    }
  }

  private getValue(request: PlistDict): Outcome {
    const { Domain: domain, Key: key } = request;
    const echo: PlistDict = { Request: 'GetValue' };
    if (domain !== undefined) echo.Domain = domain;
    if (key !== undefined) echo.Key = key;
    if ((domain !== undefined && typeof domain !== 'string') || (key !== undefined && typeof key !== 'string')) {
      return { reply: { ...echo, Error: 'MissingValue' } };
    }
    if (!this.session) {
      // Before a session a phone answers only what pairing needs and what it shows anyone (ideviceinfo -s).
      if (domain !== undefined) return { reply: { ...echo, Error: 'MissingValue' } };
      const root = this.device.rootValues();
      if (key === undefined) {
        const visible: PlistDict = {};
        for (const [k, v] of Object.entries(root)) if (isPublicBeforeSession(k)) visible[k] = v;
        return { reply: { ...echo, Value: visible } };
      }
      const value = isPublicBeforeSession(key) ? root[key] : undefined;
      return { reply: value === undefined ? { ...echo, Error: 'MissingValue' } : { ...echo, Value: value } };
    }
    const value = this.device.getValue(domain, key);
    return { reply: value === undefined ? { ...echo, Error: 'MissingValue' } : { ...echo, Value: value } };
  }

  private async changeValue(name: 'SetValue' | 'RemoveValue', request: PlistDict): Promise<Outcome> {
    const { Domain: domain, Key: key } = request;
    const echo: PlistDict = { Request: name };
    if (domain !== undefined) echo.Domain = domain;
    if (key !== undefined) echo.Key = key;
    if (!this.session) return { reply: { ...echo, Error: 'SessionInactive' } };
    if (domain !== undefined && typeof domain !== 'string') return { reply: { ...echo, Error: 'MissingValue' } };
    if (typeof key !== 'string') return { reply: { ...echo, Error: 'MissingKey' } };
    if (name === 'SetValue') {
      const value = request.Value;
      if (value === undefined) return { reply: { ...echo, Error: 'MissingValue' } };
      const refusal = checkSettable(domain, key, value);
      if (refusal) return { reply: { ...echo, Error: refusal } };
      await this.device.setValue(domain, key, value);
      return { reply: echo };
    }
    const refusal = checkRemovable(domain, key);
    if (refusal) return { reply: { ...echo, Error: refusal } };
    if (!(await this.device.removeValue(domain, key))) return { reply: { ...echo, Error: 'MissingValue' } };
    return { reply: echo };
  }

  private async pair(request: PlistDict): Promise<Outcome> {
    const fail = (error: string): Outcome => ({ reply: { Request: 'Pair', Error: error } });
    const record = request.PairRecord;
    if (!isPlistDict(record)) return fail('MissingPairRecord');
    const {
      HostID: hostId,
      SystemBUID: systemBuid,
      DeviceCertificate: deviceCert,
      HostCertificate: hostCert,
      RootCertificate: rootCert,
    } = record;
    if (typeof hostId !== 'string' || hostId.length === 0) return fail('MissingHostID');
    if (!Buffer.isBuffer(deviceCert) || !Buffer.isBuffer(hostCert) || !Buffer.isBuffer(rootCert))
      return fail('InvalidPairRecord');
    // The host must have certified THIS phone's key, under the root it will present: otherwise the record
    // cannot secure a session with this device.
    if (!this.device.isOwnPublicKey(deviceCert) || !signedBy(deviceCert, rootCert) || !signedBy(hostCert, rootCert)) {
      this.logger.warn({ hostId }, 'lockdownd: Pair with a record that does not certify this device');
      return fail('InvalidPairRecord');
    }
    const dialog = this.device.trust.answerPair();
    if (dialog) {
      this.logger.info({ hostId, answer: dialog }, 'Trust dialog');
      return fail(dialog);
    }
    const escrowBag = newEscrowBag();
    await this.device.addPairing({
      hostId,
      systemBuid: typeof systemBuid === 'string' ? systemBuid : '',
      deviceCertificate: deviceCert,
      hostCertificate: hostCert,
      rootCertificate: rootCert,
      escrowBag,
      wifiMacAddress: typeof record.WiFiMACAddress === 'string' ? record.WiFiMACAddress : undefined,
      pairedAt: new Date(),
    });
    this.logger.info({ hostId }, 'host paired');
    // libimobiledevice stores the EscrowBag in the pair record; idevicebackup2 cannot start mobilebackup2 without it.
    return { reply: { Request: 'Pair', EscrowBag: escrowBag } };
  }

  private startService(request: PlistDict): Outcome {
    const name = request.Service;
    const fail = (error: string): Outcome => ({
      reply: { Request: 'StartService', ...(typeof name === 'string' ? { Service: name } : {}), Error: error },
    });
    if (!this.session) return fail('SessionInactive');
    if (typeof name !== 'string') return fail('MissingService');
    // The phone's copy of the service table (services/index.ts), plus any service a test registered.
    const service = this.device.service(name);
    if (!service) return fail('InvalidService');
    const escrowBag = Buffer.isBuffer(request.EscrowBag) ? request.EscrowBag : undefined;
    if (this.device.trust.locked) {
      const pairing = this.device.pairing(this.session.hostId);
      if (!escrowBag || !pairing?.escrowBag.equals(escrowBag)) return fail('PasswordProtected');
    }
    const port = this.device.startService(service, { hostId: this.session.hostId, escrowBag });
    this.logger.debug({ service: name, port }, 'service started');
    return { reply: { Request: 'StartService', Service: name, Port: port, EnableServiceSSL: service.ssl } };
  }

  /**
   * Answers StartSession, then becomes the TLS server on the same socket. The frame reader is detached BEFORE
   * the reply goes out: the host sends its ClientHello as soon as it reads the reply, and those bytes must stay
   * in the socket for the TLS layer.
   */
  private async startTls(reply: PlistDict): Promise<boolean> {
    const session = this.session!;
    let raw: Duplex;
    try {
      raw = this.connection.detachSocket();
      await writeAll(raw, encodePlistFrame(reply, 'xml'));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'lockdownd: cannot start the session');
      this.connection.close();
      return false;
    }
    try {
      const secure = await upgradeToTlsServer(raw, this.device.tlsCredentialsFor(session.hostId));
      if (!this.device.isHostClientCertificate(session.hostId, secure.getPeerCertificate(true)?.raw)) {
        this.logger.warn(
          { hostId: session.hostId },
          "lockdownd: TLS client certificate is not the paired host's; closing",
        );
        secure.destroy();
        return false;
      }
      this.logger.debug({ hostId: session.hostId, protocol: secure.getProtocol() }, 'session started');
      this.connection = this.plistConnection(secure);
      return true;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'lockdownd: TLS handshake failed');
      raw.destroy();
      return false;
    }
  }

  private plistConnection(socket: Duplex): PlistConnection {
    // A listener that outlives the frame reader: a reset after close must not become an uncaught 'error'.
    socket.on('error', (error) => this.logger.debug({ err: error.message }, 'lockdownd: socket error'));
    return new PlistConnection(socket, {
      format: 'xml',
      timeoutMs: IDLE_TIMEOUT_MS,
      maxFrameBytes: MAX_LOCKDOWN_FRAME,
    });
  }
}

function hostIdOf(request: PlistDict): string | undefined {
  const record = request.PairRecord;
  if (isPlistDict(record) && typeof record.HostID === 'string') return record.HostID;
  return typeof request.HostID === 'string' ? request.HostID : undefined;
}

function signedBy(certificate: Buffer, issuer: Buffer): boolean {
  try {
    return new X509Certificate(certificate).verify(new X509Certificate(issuer).publicKey);
  } catch {
    return false;
  }
}
