import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { silentLogger, type Logger } from '../logging.js';
import { plistNumber, type PlistDict, type PlistValue } from '../plist/index.js';
import { LOCKDOWN_PORT, type AttachedDevice, type UsbmuxClient } from '../usbmux/index.js';
import { PlistConnection, upgradeToTlsClient, type TlsCredentials } from '../wire/index.js';
import { LockdownError } from './errors.js';
import {
  PAIRING_PROTOCOL_VERSION,
  buildLockdownRequest,
  checkLockdownReply,
  publicPairRecord,
  type PairRecord,
} from './protocol.js';

export interface ServiceConnection {
  name: string;
  port: number;
  /** The service stream: TLS when the device asked for it (EnableServiceSSL). */
  socket: Duplex;
  ssl: boolean;
}

export interface LockdownClientOptions {
  /** Sent as `Label` with every request (the tool name a phone logs). */
  label?: string;
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * One connection to a device's lockdownd (port 62078 through usbmuxd). Requests go out as XML, as libimobiledevice
 * sends them; replies must echo `Request`. After `startSession` the same connection continues inside TLS.
 */
export class LockdownClient {
  private connection: PlistConnection;
  private sessionId: string | undefined;
  private record: PairRecord | undefined;
  private readonly label: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;

  private constructor(
    readonly usbmux: UsbmuxClient,
    readonly device: AttachedDevice,
    socket: Duplex,
    options: LockdownClientOptions,
  ) {
    this.label = options.label ?? 'iosrescue';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.connection = new PlistConnection(socket, { format: 'xml', timeoutMs: this.timeoutMs });
  }

  static async connect(
    usbmux: UsbmuxClient,
    device: AttachedDevice,
    options: LockdownClientOptions = {},
  ): Promise<LockdownClient> {
    const socket = await usbmux.connect(device.deviceId, LOCKDOWN_PORT);
    return new LockdownClient(usbmux, device, socket, options);
  }

  get inSession(): boolean {
    return this.sessionId !== undefined;
  }

  async request(request: string, extra: PlistDict = {}): Promise<PlistDict> {
    this.logger.trace({ request, key: extra.Key, domain: extra.Domain }, 'lockdown request');
    await this.connection.send(buildLockdownRequest(this.label, request, extra));
    const reply = await this.connection.receive({
      timeoutMs: this.timeoutMs,
      waitingFor: `lockdownd reply to ${request}`,
    });
    return checkLockdownReply(request, reply);
  }

  async queryType(): Promise<string> {
    const reply = await this.request('QueryType');
    if (typeof reply.Type !== 'string') throw new LockdownError('LOCKDOWN_BAD_REPLY', 'QueryType returned no Type');
    return reply.Type;
  }

  /** A value (any domain/key; no key = the whole domain, neither = every root value). */
  async getValue(options: { domain?: string; key?: string } = {}): Promise<PlistValue> {
    const reply = await this.request('GetValue', definedOnly({ Domain: options.domain, Key: options.key }));
    if (!('Value' in reply))
      throw new LockdownError('MissingValue', `the phone has no value for ${describeKey(options)}`);
    return reply.Value!;
  }

  /** Like getValue, but a value the phone does not have is `undefined` instead of an error. */
  async tryGetValue(options: { domain?: string; key?: string } = {}): Promise<PlistValue | undefined> {
    try {
      return await this.getValue(options);
    } catch (error) {
      if (error instanceof LockdownError && error.code === 'MissingValue') return undefined;
      throw error;
    }
  }

  async setValue(options: { domain?: string; key: string; value: PlistValue }): Promise<void> {
    await this.request('SetValue', definedOnly({ Domain: options.domain, Key: options.key, Value: options.value }));
  }

  async removeValue(options: { domain?: string; key: string }): Promise<void> {
    await this.request('RemoveValue', definedOnly({ Domain: options.domain, Key: options.key }));
  }

  /** Sends Pair with the record (private keys stay here); returns the EscrowBag the phone answers with. */
  async pair(record: PairRecord): Promise<Buffer | undefined> {
    const reply = await this.request('Pair', {
      PairRecord: publicPairRecord(record),
      ProtocolVersion: PAIRING_PROTOCOL_VERSION,
      PairingOptions: { ExtendedPairingErrors: true },
    });
    return Buffer.isBuffer(reply.EscrowBag) ? reply.EscrowBag : undefined;
  }

  async validatePair(record: PairRecord): Promise<void> {
    await this.request('ValidatePair', {
      PairRecord: publicPairRecord(record),
      ProtocolVersion: PAIRING_PROTOCOL_VERSION,
    });
  }

  async unpair(record: PairRecord): Promise<void> {
    await this.request('Unpair', { PairRecord: publicPairRecord(record), ProtocolVersion: PAIRING_PROTOCOL_VERSION });
  }

  /**
   * StartSession, then the TLS upgrade on this connection when the phone asks for it: the phone is the TLS server,
   * we present the pair record's host certificate (as pymobiledevice3 does; libimobiledevice 1.3.0 presents the
   * root certificate, and phones accept either).
   */
  async startSession(record: PairRecord): Promise<void> {
    if (this.sessionId) throw new LockdownError('SessionActive', 'a session is already open on this connection');
    const reply = await this.request('StartSession', { HostID: record.HostID, SystemBUID: record.SystemBUID });
    if (typeof reply.SessionID !== 'string')
      throw new LockdownError('LOCKDOWN_BAD_REPLY', 'StartSession returned no SessionID');
    this.sessionId = reply.SessionID;
    this.record = record;
    if (reply.EnableSessionSSL === true) {
      const raw = this.connection.detachSocket();
      const secure: TLSSocket = await upgradeToTlsClient(raw, hostCredentials(record), this.timeoutMs);
      this.connection = new PlistConnection(secure, { format: 'xml', timeoutMs: this.timeoutMs });
    }
    this.logger.debug({ udid: this.device.udid, tls: reply.EnableSessionSSL === true }, 'lockdown session started');
  }

  async stopSession(): Promise<void> {
    if (!this.sessionId) return;
    const sessionId = this.sessionId;
    this.sessionId = undefined;
    await this.request('StopSession', { SessionID: sessionId });
  }

  /**
   * Starts a service and connects to it: a new usbmuxd tunnel to the port the phone hands out, in TLS with the
   * pair record's host certificate when the phone says EnableServiceSSL. mobilebackup2 needs the EscrowBag so a
   * locked phone can still be backed up.
   */
  async startService(name: string, options: { escrowBag?: Buffer } = {}): Promise<ServiceConnection> {
    if (!this.sessionId || !this.record)
      throw new LockdownError('LOCKDOWN_NO_SESSION', `starting ${name} needs a lockdown session`);
    const reply = await this.request('StartService', definedOnly({ Service: name, EscrowBag: options.escrowBag }));
    const port = plistNumber(reply.Port);
    if (!port) throw new LockdownError('LOCKDOWN_BAD_REPLY', `StartService ${name} returned no port`);
    const ssl = reply.EnableServiceSSL === true;
    const raw = await this.usbmux.connect(this.device.deviceId, port);
    const socket = ssl ? await upgradeToTlsClient(raw, hostCredentials(this.record), this.timeoutMs) : raw;
    this.logger.debug({ service: name, port, ssl }, 'service started');
    return { name, port, socket, ssl };
  }

  /** Ends the session (if any) and the connection; never throws. */
  async close(): Promise<void> {
    try {
      await this.stopSession();
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'StopSession failed while closing');
    }
    this.connection.close();
  }
}

function hostCredentials(record: PairRecord): TlsCredentials {
  return { certificatePem: record.HostCertificate, privateKeyPem: record.HostPrivateKey };
}

function definedOnly(dict: Record<string, PlistValue | undefined>): PlistDict {
  const out: PlistDict = {};
  for (const [key, value] of Object.entries(dict)) if (value !== undefined) out[key] = value;
  return out;
}

function describeKey(options: { domain?: string; key?: string }): string {
  return [options.domain, options.key].filter(Boolean).join(' / ') || 'the root domain';
}
