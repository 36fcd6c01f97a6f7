import { mkdir } from 'node:fs/promises';
import { silentLogger, type Logger } from '../logging.js';
import { LOCKDOWN_PORT } from '../usbmux/protocol.js';
import type { BackupAgentConfig } from './backup/agent-config.js';
import { sampleContent } from './backup/sample-content.js';
import type { IdentityOverrides } from './device-identity.js';
import { EmulatorError } from './errors.js';
import { serveLockdown } from './lockdownd.js';
import type { ServiceHandler, ServiceOptions } from './service-ports.js';
import { DEVICE_SERVICES } from './services/index.js';
import { parseTrustMode, type TrustMode } from './trust.js';
import { UsbmuxdServer, type AttachedDevice } from './usbmuxd.js';
import { VirtualDevice } from './virtual-device.js';

export interface EmulatorOptions {
  /** UNIX socket for the virtual usbmuxd (clients use USBMUXD_SOCKET_ADDRESS=UNIX:<path>). */
  socketPath?: string;
  /** And/or a loopback TCP address (port 0 picks a free one). */
  tcp?: { host: string; port: number };
  /** How many phones are plugged in at start (default 1). */
  devices?: number;
  /** Pair records, SystemBUID and each phone's files live here; a restart with the same dir keeps them. */
  stateDir: string;
  /** Phones without saved state get identities from (seed, index): tests can predict UDIDs. */
  seed?: string;
  /** What each phone's owner does with the Trust dialog (default accept). */
  trust?: TrustMode | string;
  /** Identity details for phones created now (not for ones loaded from the state dir). */
  identity?: IdentityOverrides;
  /** What the phones back up and how they misbehave (default: the built-in sample phone, no faults). */
  backup?: Partial<BackupAgentConfig>;
  logger?: Logger;
}

export interface AddDeviceOptions {
  /** Plug in the phone with this index again (its state is kept); by default a new phone. */
  index?: number;
  identity?: IdentityOverrides;
  trust?: TrustMode | string;
}

/**
 * The virtual iPhone lab: a usbmuxd with any number of phones plugged in and out at runtime, each with its own
 * lockdownd and services. Start it with `startEmulator`.
 */
export class VirtualIphone {
  private readonly attached = new Map<string, { device: VirtualDevice; index: number; usbmux: AttachedDevice }>();
  private readonly services: Array<[string, ServiceHandler, ServiceOptions]> = [];
  private nextIndex = 0;
  /**
   * The backup side of every phone: content, faults, keybag strength. Mutable: a test sets a fault or new content
   * and the next connection sees it.
   */
  readonly backup: BackupAgentConfig;

  private constructor(
    private readonly usbmuxd: UsbmuxdServer,
    private readonly options: EmulatorOptions,
    private readonly logger: Logger,
    readonly socketPath: string | undefined,
    readonly tcp: { host: string; port: number } | undefined,
  ) {
    this.backup = {
      content: options.backup?.content ?? sampleContent(),
      faults: { ...options.backup?.faults },
      ...omitUndefined(options.backup),
    };
    for (const [name, service] of DEVICE_SERVICES)
      this.services.push([name, service.handler(this.backup), service.options]);
  }

  static async start(options: EmulatorOptions): Promise<VirtualIphone> {
    if (!options.socketPath && !options.tcp)
      throw new EmulatorError('EMULATOR_BAD_OPTION', 'give a socket path or a TCP address to listen on');
    const logger = options.logger ?? silentLogger;
    await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
    const usbmuxd = new UsbmuxdServer({ stateDir: options.stateDir, logger: logger.child({ daemon: 'usbmuxd' }) });
    let tcp: { host: string; port: number } | undefined;
    try {
      if (options.socketPath) await usbmuxd.listen({ socketPath: options.socketPath });
      if (options.tcp) tcp = (await usbmuxd.listen(options.tcp)) as { host: string; port: number };
    } catch (error) {
      await usbmuxd.close();
      throw error;
    }
    const emulator = new VirtualIphone(usbmuxd, options, logger, options.socketPath, tcp);
    try {
      for (let i = 0; i < (options.devices ?? 1); i++) await emulator.addDevice();
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  /** The value for USBMUXD_SOCKET_ADDRESS (libusbmuxd ignores a bare path: it needs the UNIX: prefix). */
  get usbmuxdSocketAddress(): string {
    if (this.socketPath) return `UNIX:${this.socketPath}`;
    return `${this.tcp!.host.includes(':') ? `[${this.tcp!.host}]` : this.tcp!.host}:${this.tcp!.port}`;
  }

  get env(): { USBMUXD_SOCKET_ADDRESS: string } {
    return { USBMUXD_SOCKET_ADDRESS: this.usbmuxdSocketAddress };
  }

  /** The phones plugged in now, in the order they were plugged. */
  get devices(): VirtualDevice[] {
    return [...this.attached.values()].map((entry) => entry.device);
  }

  device(udid: string): VirtualDevice {
    const entry = this.attached.get(udid);
    if (!entry) throw new EmulatorError('EMULATOR_NO_DEVICE', `no virtual phone ${udid} is plugged in`);
    return entry.device;
  }

  /** usbmuxd's DeviceID for a plugged-in phone. */
  deviceId(udid: string): number {
    const entry = this.attached.get(udid);
    if (!entry) throw new EmulatorError('EMULATOR_NO_DEVICE', `no virtual phone ${udid} is plugged in`);
    return entry.usbmux.deviceId;
  }

  /** Plugs a phone in: listeners hear Attached. */
  async addDevice(options: AddDeviceOptions = {}): Promise<VirtualDevice> {
    const index = options.index ?? this.nextIndex;
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    const trust = options.trust ?? this.options.trust;
    const device = await VirtualDevice.open({
      stateDir: this.options.stateDir,
      seed: this.options.seed,
      index,
      identity: options.identity ?? this.options.identity,
      trust: typeof trust === 'string' ? parseTrustMode(trust) : trust,
      logger: this.logger,
    });
    if (this.attached.has(device.udid))
      throw new EmulatorError('EMULATOR_BAD_OPTION', `${device.udid} is already plugged in`);
    device.ports.listenOn(LOCKDOWN_PORT, (socket) => serveLockdown(socket, device, device.logger));
    for (const [name, handler, serviceOptions] of this.services) device.registerService(name, handler, serviceOptions);
    const usbmux = this.usbmuxd.attach(device);
    this.attached.set(device.udid, { device, index, usbmux });
    return device;
  }

  /** Unplugs a phone: listeners hear Detached and its open connections close. Its files stay. */
  removeDevice(udid: string): void {
    const entry = this.attached.get(udid);
    if (!entry) throw new EmulatorError('EMULATOR_NO_DEVICE', `no virtual phone ${udid} is plugged in`);
    this.attached.delete(udid);
    entry.device.ports.closeAll();
    this.usbmuxd.detach(entry.usbmux.deviceId);
  }

  /** The index a plugged-in phone was created with (to plug it in again after removeDevice). */
  indexOf(udid: string): number | undefined {
    return this.attached.get(udid)?.index;
  }

  /** Restarts the virtual usbmuxd (UsbmuxdServer.restart): clients lose every connection; the phones stay plugged. */
  restartUsbmuxd(downMs = 0): Promise<void> {
    return this.usbmuxd.restart(downMs);
  }

  setTrust(udid: string, mode: TrustMode | string): void {
    this.device(udid).trust.set(typeof mode === 'string' ? parseTrustMode(mode) : mode);
  }

  /** Adds a lockdown service to every phone, now and plugged later (mobilebackup2, AFC, notification_proxy…). */
  registerService(name: string, handler: ServiceHandler, options: ServiceOptions = {}): void {
    this.services.push([name, handler, options]);
    for (const device of this.devices) device.registerService(name, handler, options);
  }

  async stop(): Promise<void> {
    for (const { device } of this.attached.values()) device.ports.closeAll();
    this.attached.clear();
    await this.usbmuxd.close();
  }
}

function omitUndefined(backup: Partial<BackupAgentConfig> | undefined): Partial<BackupAgentConfig> {
  const { content: _content, faults: _faults, ...rest } = backup ?? {};
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
}

export function startEmulator(options: EmulatorOptions): Promise<VirtualIphone> {
  return VirtualIphone.start(options);
}
