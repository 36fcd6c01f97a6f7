import { X509Certificate, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../logging.js';
import { Real, isPlistDict, type PlistDict, type PlistValue } from '../plist/index.js';
import { generateRsaKeyPair, upgradeToTlsServer, type TlsCredentials } from '../wire/index.js';
import { createDefaultDomains, createIdentity, udidFor, type IdentityOverrides } from './device-identity.js';
import { decodePairings, encodePairings, type DevicePairing } from './device-pairings.js';
import { EmulatorError } from './errors.js';
import { NotificationCenter } from './notification-center.js';
import { ServicePorts, type RegisteredService, type ServiceHandler, type ServiceOptions } from './service-ports.js';
import { readPlistFile, readTextFile, writePlistFile, writePrivateFile } from './state-files.js';
import { TrustDialog, type TrustMode } from './trust.js';

export interface VirtualDeviceOptions {
  /** Each device keeps its files in `<stateDir>/<UDID>/`. */
  stateDir: string;
  /** The identity of a device without saved state comes from (seed, index): same inputs, same UDID. */
  seed?: string;
  index: number;
  /** Applied only when the device is created; a saved device keeps what it has. */
  identity?: IdentityOverrides;
  trust?: TrustMode;
  logger?: Logger;
}

/** Apple's USB product id for iPhones (usbmuxd's Attached ProductID). */
const IPHONE_PRODUCT_ID = 0x12a8;

/**
 * One virtual iPhone: identity and lockdown values, the RSA key whose public half is DevicePublicKey, the hosts
 * it trusts, the Trust dialog, and its ports (lockdownd plus the services that StartService opens). Everything
 * it learns is written to `<stateDir>/<UDID>/` at once, so a restarted emulator is the same phone with the
 * same pairings.
 */
export class VirtualDevice {
  readonly productId = IPHONE_PRODUCT_ID;
  readonly trust: TrustDialog;
  readonly ports = new ServicePorts();
  readonly notifications = new NotificationCenter();
  private readonly services = new Map<string, RegisteredService>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly udid: string,
    readonly dir: string,
    readonly locationId: number,
    private readonly root: PlistDict,
    private readonly domains: Record<string, PlistDict>,
    private readonly pairings: Map<string, DevicePairing>,
    private readonly privateKeyPem: string,
    /** PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`): libimobiledevice 1.3.0 can read no other form. */
    readonly publicKeyPem: string,
    readonly logger: Logger,
    trust: TrustMode | undefined,
  ) {
    this.trust = new TrustDialog(trust);
  }

  static async open(options: VirtualDeviceOptions): Promise<VirtualDevice> {
    const seed = options.seed ?? 'default';
    const udid = udidFor(seed, options.index);
    const dir = join(options.stateDir, udid);
    const logger = (options.logger ?? silentLogger).child({ udid });

    let privateKeyPem = await readTextFile(join(dir, 'device-key.pem'));
    if (!privateKeyPem) {
      privateKeyPem = (await generateRsaKeyPair()).privateKeyPem;
      await writePrivateFile(join(dir, 'device-key.pem'), privateKeyPem);
    }
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();

    const saved = await readPlistFile(join(dir, 'values.plist'));
    const root = isPlistDict(saved?.Root) ? saved.Root : createIdentity(seed, options.index, options.identity);
    // Domains added in later versions appear in old state too; saved values win.
    const domains = {
      ...createDefaultDomains(),
      ...(isPlistDict(saved?.Domains) ? (saved.Domains as Record<string, PlistDict>) : {}),
    };
    const pairings = decodePairings(await readPlistFile(join(dir, 'pairings.plist')));

    // usbmuxd LocationIDs encode the USB bus path; any stable distinct value will do for a virtual port.
    const locationId = 0x14100000 + ((options.index + 1) << 12);
    const device = new VirtualDevice(
      udid,
      dir,
      locationId,
      root,
      domains,
      pairings,
      privateKeyPem,
      publicKeyPem,
      logger,
      options.trust,
    );
    if (!saved) await device.persistValues();
    return device;
  }

  get name(): string {
    return typeof this.root.DeviceName === 'string' ? this.root.DeviceName : 'iPhone';
  }

  get productVersion(): string {
    return typeof this.root.ProductVersion === 'string' ? this.root.ProductVersion : '16.7.2';
  }

  // ---- lockdown values ----

  /** All root values, as GetValue with neither Domain nor Key answers them within a session. */
  rootValues(): PlistDict {
    return {
      ...this.root,
      DevicePublicKey: Buffer.from(this.publicKeyPem, 'utf8'),
      PasswordProtected: this.trust.locked,
      TrustedHostAttached: this.pairings.size > 0,
      // The phone's clock, as reals (idevicedate reads TimeIntervalSince1970 as a real on modern iOS).
      TimeIntervalSince1970: new Real(Date.now() / 1000),
      TimeZoneOffsetFromUTC: new Real(
        utcOffsetSeconds(typeof this.root.TimeZone === 'string' ? this.root.TimeZone : 'UTC'),
      ),
      Uses24HourClock: false,
    };
  }

  /** A value, a whole domain (no key), all root values (neither), or undefined when there is none. */
  getValue(domain?: string, key?: string): PlistValue | undefined {
    const dict = domain === undefined ? this.rootValues() : this.domains[domain];
    if (dict === undefined) return undefined;
    return key === undefined ? dict : dict[key];
  }

  /** Sets a value with no policy check: lockdownd decides what a host may set; services (backup) set more. */
  async setValue(domain: string | undefined, key: string, value: PlistValue): Promise<void> {
    if (domain === undefined) this.root[key] = value;
    else (this.domains[domain] ??= {})[key] = value;
    await this.persistValues();
  }

  async removeValue(domain: string | undefined, key: string): Promise<boolean> {
    const dict = domain === undefined ? this.root : this.domains[domain];
    if (!dict || !(key in dict)) return false;
    delete dict[key];
    await this.persistValues();
    return true;
  }

  // ---- pairing ----

  pairing(hostId: string): DevicePairing | undefined {
    return this.pairings.get(hostId);
  }

  pairedHostIds(): string[] {
    return [...this.pairings.keys()];
  }

  async addPairing(pairing: DevicePairing): Promise<void> {
    this.pairings.set(pairing.hostId, pairing);
    await this.persistPairings();
  }

  async removePairing(hostId: string): Promise<boolean> {
    const removed = this.pairings.delete(hostId);
    if (removed) await this.persistPairings();
    return removed;
  }

  /** True when a certificate (PEM or DER) has this device's public key: what a DeviceCertificate must carry. */
  isOwnPublicKey(certificate: Buffer): boolean {
    try {
      const key = new X509Certificate(certificate).publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      return key === this.publicKeyPem;
    } catch {
      return false;
    }
  }

  /** The TLS server identity for a host's session: the DeviceCertificate it issued, with this device's key, as a real
   * phone does. */
  tlsCredentialsFor(hostId: string): TlsCredentials {
    const pairing = this.pairings.get(hostId);
    if (!pairing) throw new EmulatorError('EMULATOR_NO_DEVICE', `host ${hostId} is not paired with ${this.udid}`);
    return { certificatePem: pairing.deviceCertificate, privateKeyPem: this.privateKeyPem };
  }

  /**
   * The TLS client certificate must be the host's: libimobiledevice presents the pair record's RootCertificate,
   * pymobiledevice3 and appium-ios-device its HostCertificate; either is accepted, nothing else.
   */
  isHostClientCertificate(hostId: string, peerDer: Buffer | undefined): boolean {
    const pairing = this.pairings.get(hostId);
    if (!pairing || !peerDer || peerDer.length === 0) return false;
    return [pairing.rootCertificate, pairing.hostCertificate].some((pem) => {
      try {
        return new X509Certificate(pem).raw.equals(peerDer);
      } catch {
        return false;
      }
    });
  }

  // ---- services and ports ----

  registerService(name: string, handler: ServiceHandler, options: ServiceOptions = {}): void {
    this.services.set(name, { name, handler, ssl: options.ssl ?? false });
  }

  service(name: string): RegisteredService | undefined {
    return this.services.get(name);
  }

  /** Opens a one-shot port for the service (StartService); the next usbmuxd Connect to it runs the handler. */
  startService(service: RegisteredService, session: { hostId: string; escrowBag?: Buffer }): number {
    return this.ports.openFor(service, {
      serviceName: service.name,
      hostId: session.hostId,
      escrowBag: session.escrowBag,
    });
  }

  /** usbmuxd's Connect: who takes a socket to `port`, or undefined when the port is closed. */
  connect(port: number): ((socket: Duplex) => void) | undefined {
    const target = this.ports.take(port);
    if (!target) return undefined;
    if ('fixed' in target) return target.fixed;
    return (socket) => void this.runService(socket, target.service, target.context);
  }

  private async runService(
    socket: Duplex,
    service: RegisteredService,
    context: { serviceName: string; hostId: string; escrowBag?: Buffer },
  ): Promise<void> {
    const logger = this.logger.child({ service: service.name });
    let stream: Duplex = socket;
    // Handlers add their own listeners; this one keeps a late reset from becoming an uncaught 'error'.
    socket.on('error', (error) => logger.debug({ err: error.message }, 'service socket error'));
    if (service.ssl) {
      try {
        const secure = await upgradeToTlsServer(socket, this.tlsCredentialsFor(context.hostId));
        if (!this.isHostClientCertificate(context.hostId, secure.getPeerCertificate(true)?.raw)) {
          logger.warn("service TLS client certificate is not the paired host's; closing");
          secure.destroy();
          return;
        }
        secure.on('error', (error) => logger.debug({ err: error.message }, 'service TLS socket error'));
        stream = secure;
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'service TLS handshake failed');
        socket.destroy();
        return;
      }
    }
    try {
      service.handler(stream, { ...context, device: this, logger });
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'service handler failed');
      stream.destroy();
    }
  }

  /** Writes finish in order; callers await their own write. */
  private persistValues(): Promise<void> {
    return this.queueWrite(() =>
      writePlistFile(join(this.dir, 'values.plist'), { Root: this.root, Domains: this.domains }),
    );
  }

  private persistPairings(): Promise<void> {
    return this.queueWrite(() => writePlistFile(join(this.dir, 'pairings.plist'), encodePairings(this.pairings)));
  }

  private queueWrite(write: () => Promise<void>): Promise<void> {
    const next = this.saving.then(write, write);
    this.saving = next.catch((error: unknown) =>
      this.logger.error({ err: (error as Error).message }, 'cannot save device state'),
    );
    return next;
  }
}

/** The zone's current offset from UTC in seconds (0 for a zone the runtime does not know). */
function utcOffsetSeconds(timeZone: string, at = new Date()): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at);
    const name = parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    if (!match) return 0;
    return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60);
  } catch {
    return 0;
  }
}
