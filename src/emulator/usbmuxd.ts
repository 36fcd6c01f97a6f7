import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../logging.js';
import { EmulatorError } from './errors.js';
import { UsbmuxdConfig } from './usbmuxd-config.js';
import { UsbmuxdConnection, type AttachedDevice, type UsbmuxdHost } from './usbmuxd-connection.js';

export type { AttachedDevice } from './usbmuxd-connection.js';

/** Where the virtual usbmuxd listens: a UNIX socket path, or a loopback TCP port (what Windows' daemon uses). */
export type UsbmuxdAddress = { socketPath: string } | { host: string; port: number };

/** A device to plug in: everything usbmuxd needs except the DeviceID, which it assigns. */
export type PluggableDevice = Omit<AttachedDevice, 'deviceId' | 'tunnels'>;

/**
 * The virtual usbmuxd: serves the usbmuxd protocol on one or more sockets, keeps the list of attached devices
 * and tells listening clients when one is plugged, unplugged or paired. DeviceIDs start at 1 and grow with each
 * plug-in, as usbmuxd's do (libusbmuxd ends its device array at id 0, so 0 is never used).
 */
export class UsbmuxdServer implements UsbmuxdHost {
  readonly config: UsbmuxdConfig;
  readonly logger: Logger;
  private readonly servers: net.Server[] = [];
  private readonly socketPaths: string[] = [];
  /** Where it listens, to listen there again after restart(). */
  private readonly addresses: UsbmuxdAddress[] = [];
  private readonly connections = new Set<UsbmuxdConnection>();
  private readonly devices = new Map<number, AttachedDevice>();
  private nextDeviceId = 1;
  private nextClientNumber = 0;

  constructor(options: { stateDir: string; logger?: Logger }) {
    this.config = new UsbmuxdConfig(options.stateDir);
    this.logger = options.logger ?? silentLogger;
  }

  async listen(address: UsbmuxdAddress): Promise<UsbmuxdAddress> {
    const server = net.createServer((socket) => this.accept(socket));
    server.on('error', (error) => this.logger.error({ err: error.message }, 'usbmuxd: listening socket error'));
    if ('socketPath' in address) {
      await removeStaleSocket(address.socketPath);
      await listenOn(server, { path: address.socketPath });
      // Like /var/run/usbmuxd, only its owner may talk to it: whoever can connect can pair and read the phone.
      await chmod(address.socketPath, 0o600);
      this.socketPaths.push(address.socketPath);
      this.servers.push(server);
      this.addresses.push({ socketPath: address.socketPath });
      return { socketPath: address.socketPath };
    }
    if (!isLoopback(address.host)) {
      throw new EmulatorError(
        'EMULATOR_BAD_OPTION',
        `the virtual usbmuxd listens on loopback only, not on ${address.host}`,
      );
    }
    await listenOn(server, { host: address.host, port: address.port });
    this.servers.push(server);
    const bound = server.address() as net.AddressInfo;
    this.addresses.push({ host: address.host, port: bound.port });
    return { host: address.host, port: bound.port };
  }

  /** Plugs a device in; returns its DeviceID. */
  attach(device: PluggableDevice): AttachedDevice {
    const attached: AttachedDevice = {
      deviceId: this.nextDeviceId++,
      udid: device.udid,
      productId: device.productId,
      locationId: device.locationId,
      connect: (port) => device.connect(port),
      tunnels: new Set<Duplex>(),
    };
    this.devices.set(attached.deviceId, attached);
    this.logger.info({ udid: attached.udid, deviceId: attached.deviceId }, 'device attached');
    for (const listener of this.listeners()) listener.notifyAttached(attached);
    return attached;
  }

  /** Unplugs a device: listeners hear Detached and every open tunnel to it closes, as when the cable is pulled. */
  detach(deviceId: number): void {
    const device = this.devices.get(deviceId);
    if (!device) return;
    this.devices.delete(deviceId);
    for (const socket of device.tunnels) socket.destroy();
    this.logger.info({ udid: device.udid, deviceId }, 'device detached');
    for (const listener of this.listeners()) listener.notifyDetached(deviceId);
  }

  attachedDevices(): AttachedDevice[] {
    return [...this.devices.values()];
  }

  findDevice(deviceId: number): AttachedDevice | undefined {
    return this.devices.get(deviceId);
  }

  startListening(connection: UsbmuxdConnection): void {
    for (const device of this.devices.values()) connection.notifyAttached(device);
  }

  listeners(): UsbmuxdConnection[] {
    return [...this.connections].filter((connection) => connection.listening);
  }

  notifyPaired(deviceId: number): void {
    for (const listener of this.listeners()) listener.notifyPaired(deviceId);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.close();
    for (const device of this.devices.values()) for (const socket of device.tunnels) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.servers.length = 0;
    for (const path of this.socketPaths) await unlink(path).catch(() => undefined);
    this.socketPaths.length = 0;
  }

  /**
   * As when usbmuxd is restarted (a package upgrade, a crash, systemd restarting it): every client connection and
   * tunnel drops and the socket disappears for `downMs`, then it listens again at the same addresses. The phones stay
   * plugged in, with the DeviceIDs they had, and a new Listen hears them attached again.
   */
  async restart(downMs = 0): Promise<void> {
    const addresses = [...this.addresses];
    this.addresses.length = 0;
    this.logger.info({ downMs }, 'usbmuxd restarting');
    await this.close();
    if (downMs > 0) await new Promise((done) => setTimeout(done, downMs));
    for (const address of addresses) await this.listen(address);
  }

  private accept(socket: net.Socket): void {
    const connection = new UsbmuxdConnection(socket, this.nextClientNumber++, this);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
    // Handed-over sockets leave the set when they close, like any other.
    connection.run().catch((error: unknown) => {
      this.logger.error({ err: (error as Error).message }, 'usbmuxd: client handler failed');
      connection.close();
    });
  }
}

function listenOn(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(
        new EmulatorError(
          'EMULATOR_LISTEN_FAILED',
          `cannot listen on ${options.path ?? `${options.host}:${options.port}`}: ${error.message}`,
          { cause: error },
        ),
      );
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A socket file left by a crashed emulator is removed; a live one, or a file that is not a socket, is not. */
async function removeStaleSocket(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) throw new EmulatorError('EMULATOR_BAD_OPTION', `${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new EmulatorError('EMULATOR_LISTEN_FAILED', `another usbmuxd is already serving ${path}`);
  await unlink(path);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
