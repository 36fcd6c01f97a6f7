import type { Duplex } from 'node:stream';
import type { Logger } from '../logging.js';
import { plistNumber, type PlistDict } from '../plist/index.js';
import {
  ERRNO_EINVAL,
  ERRNO_ENOENT,
  USBMUX_HEADER_SIZE,
  UsbmuxMessage,
  UsbmuxResult,
  UsbmuxVersion,
  buildAttachedProperties,
  decodePlistPayload,
  decodeUsbmuxHeader,
  encodeBinaryResult,
  encodePlistPacket,
  swapPortBytes,
} from '../usbmux/protocol.js';
import { SocketReader, WireError } from '../wire/index.js';
import { decodeBinaryConnect, encodeBinaryDeviceAdd, encodeBinaryDeviceEvent } from './usbmuxd-binary.js';
import type { UsbmuxdConfig } from './usbmuxd-config.js';

/** One device as usbmuxd sees it: an id, a serial, and ports that may be connected to. */
export interface AttachedDevice {
  readonly deviceId: number;
  readonly udid: string;
  readonly productId: number;
  readonly locationId: number;
  /** How to hand over a socket connected to `port`, or undefined when nothing listens there (CONNREFUSED). */
  connect(port: number): ((socket: Duplex) => void) | undefined;
  /** Sockets currently piped to the device: an unplug closes them. */
  readonly tunnels: Set<Duplex>;
}

/** What a client connection needs from the daemon. */
export interface UsbmuxdHost {
  readonly config: UsbmuxdConfig;
  readonly logger: Logger;
  attachedDevices(): AttachedDevice[];
  findDevice(deviceId: number): AttachedDevice | undefined;
  startListening(connection: UsbmuxdConnection): void;
  listeners(): UsbmuxdConnection[];
  notifyPaired(deviceId: number): void;
}

/** A header arrives whenever the client likes, but a started packet must complete: no slow-drip clients. */
const BODY_TIMEOUT_MS = 10_000;
/** usbmuxd itself refuses commands over 64 KiB; pair records are a few KB. */
const MAX_COMMAND_BYTES = 256 * 1024;

/**
 * One client of the virtual usbmuxd, following usbmuxd's state machine (libimobiledevice/usbmuxd src/client.c):
 * commands until Listen (then only notifications) or a successful Connect (then a raw pipe to the device).
 * Replies use the client's protocol version: plist (1) once it sent a plist message, binary (0) before.
 */
export class UsbmuxdConnection {
  private readonly reader: SocketReader;
  private protoVersion: number = UsbmuxVersion.BINARY;
  private state: 'command' | 'listen' | 'connected' | 'closed' = 'command';
  /** What the client said about itself (ProgName, ClientVersionString…), for ListListeners. */
  info: PlistDict = {};

  constructor(
    readonly socket: Duplex,
    readonly number: number,
    private readonly host: UsbmuxdHost,
  ) {
    this.reader = new SocketReader(socket, 0);
    socket.on('error', (error) =>
      host.logger.debug({ client: number, err: error.message }, 'usbmuxd client socket error'),
    );
  }

  async run(): Promise<void> {
    try {
      while (this.state === 'command' || this.state === 'listen') {
        const header = decodeUsbmuxHeader(
          await this.reader.readExactly(USBMUX_HEADER_SIZE, { timeoutMs: 0 }),
          MAX_COMMAND_BYTES,
        );
        const body = await this.reader.readExactly(header.length - USBMUX_HEADER_SIZE, {
          timeoutMs: BODY_TIMEOUT_MS,
          waitingFor: 'usbmuxd packet body',
        });
        await this.handle(header.version, header.message, header.tag, body);
      }
    } catch (error) {
      if (!(error instanceof WireError && error.code === 'WIRE_CLOSED')) {
        this.host.logger.warn(
          { client: this.number, err: (error as Error).message },
          'usbmuxd: dropping a client that sent a bad packet',
        );
      }
      this.close();
    }
  }

  get listening(): boolean {
    return this.state === 'listen';
  }

  close(): void {
    if (this.state === 'connected') return;
    this.state = 'closed';
    this.reader.detach();
    this.socket.destroy();
  }

  notifyAttached(device: AttachedDevice): void {
    if (this.protoVersion === UsbmuxVersion.PLIST) {
      this.socket.write(encodePlistPacket(attachedMessage(device), 0));
    } else {
      this.socket.write(encodeBinaryDeviceAdd({ ...device, serialNumber: device.udid }));
    }
  }

  notifyDetached(deviceId: number): void {
    if (this.protoVersion === UsbmuxVersion.PLIST)
      this.socket.write(encodePlistPacket({ MessageType: 'Detached', DeviceID: deviceId }, 0));
    else this.socket.write(encodeBinaryDeviceEvent(UsbmuxMessage.DEVICE_REMOVE, deviceId));
  }

  notifyPaired(deviceId: number): void {
    if (this.protoVersion === UsbmuxVersion.PLIST)
      this.socket.write(encodePlistPacket({ MessageType: 'Paired', DeviceID: deviceId }, 0));
    else this.socket.write(encodeBinaryDeviceEvent(UsbmuxMessage.DEVICE_PAIRED, deviceId));
  }

  private async handle(version: number, message: number, tag: number, body: Buffer): Promise<void> {
    const log = this.host.logger;
    if (this.state !== 'command') {
      // usbmuxd: a command on a listening connection is answered BADCOMMAND and the connection closed.
      log.warn({ client: this.number }, 'usbmuxd: command received on a listening connection');
      this.sendResult(tag, UsbmuxResult.BADCOMMAND);
      this.close();
      return;
    }
    if (version !== UsbmuxVersion.BINARY && version !== UsbmuxVersion.PLIST) {
      log.warn({ client: this.number, version }, 'usbmuxd: unsupported protocol version');
      this.sendResult(tag, UsbmuxResult.BADVERSION);
      return;
    }
    if (message === UsbmuxMessage.PLIST) {
      this.protoVersion = UsbmuxVersion.PLIST;
      let request: PlistDict;
      try {
        request = decodePlistPayload(body);
      } catch (error) {
        log.warn({ client: this.number, err: (error as Error).message }, 'usbmuxd: unparsable plist request');
        this.sendResult(tag, UsbmuxResult.BADCOMMAND);
        return;
      }
      await this.handlePlist(request, tag);
    } else if (message === UsbmuxMessage.LISTEN) {
      this.startListening(tag);
    } else if (message === UsbmuxMessage.CONNECT) {
      const request = decodeBinaryConnect(body);
      if (!request) this.sendResult(tag, UsbmuxResult.BADCOMMAND);
      else this.connect(request.deviceId, request.port, tag);
    } else {
      log.warn({ client: this.number, message }, 'usbmuxd: unknown binary message');
      this.sendResult(tag, UsbmuxResult.BADCOMMAND);
    }
  }

  private async handlePlist(request: PlistDict, tag: number): Promise<void> {
    const type = request.MessageType;
    this.rememberClientInfo(request);
    this.host.logger.debug({ client: this.number, request: type, prog: request.ProgName }, 'usbmuxd request');
    switch (type) {
      case 'ListDevices':
        this.sendPlist({ DeviceList: this.host.attachedDevices().map(attachedMessage) }, tag);
        return;
      case 'Listen':
        this.startListening(tag);
        return;
      case 'Connect': {
        const deviceId = plistNumber(request.DeviceID);
        const portNumber = plistNumber(request.PortNumber);
        if (deviceId === undefined) return this.sendResult(tag, UsbmuxResult.BADDEV);
        if (portNumber === undefined || !Number.isInteger(portNumber))
          return this.sendResult(tag, UsbmuxResult.BADCOMMAND);
        // The port travels byte-swapped (htons stored as an integer): 62078 arrives as 32498.
        this.connect(deviceId, swapPortBytes(portNumber & 0xffff), tag);
        return;
      }
      case 'ListListeners':
        this.sendPlist({ ListenerList: this.host.listeners().map(listenerEntry) }, tag);
        return;
      case 'ReadBUID':
        this.sendPlist({ BUID: await this.host.config.readSystemBuid() }, tag);
        return;
      case 'ReadPairRecord': {
        if (typeof request.PairRecordID !== 'string') return this.sendResult(tag, ERRNO_EINVAL);
        const record = await this.host.config.readPairRecord(request.PairRecordID);
        if (Buffer.isBuffer(record)) this.sendPlist({ PairRecordData: record }, tag);
        else this.sendResult(tag, record === 'ENOENT' ? ERRNO_ENOENT : ERRNO_EINVAL);
        return;
      }
      case 'SavePairRecord': {
        const id = request.PairRecordID;
        const data = request.PairRecordData;
        if (typeof id !== 'string' || !Buffer.isBuffer(data)) return this.sendResult(tag, ERRNO_EINVAL);
        const failure = await this.host.config.savePairRecord(id, data);
        if (failure) return this.sendResult(tag, ERRNO_EINVAL);
        this.sendResult(tag, UsbmuxResult.OK);
        // usbmuxd tells listeners only when the DeviceID names an attached device with that serial.
        const deviceId = plistNumber(request.DeviceID) ?? 0;
        const device = deviceId > 0 ? this.host.findDevice(deviceId) : undefined;
        if (device && device.udid === id) this.host.notifyPaired(deviceId);
        return;
      }
      case 'DeletePairRecord': {
        if (typeof request.PairRecordID !== 'string') return this.sendResult(tag, ERRNO_EINVAL);
        const failure = await this.host.config.deletePairRecord(request.PairRecordID);
        this.sendResult(
          tag,
          failure === undefined ? UsbmuxResult.OK : failure === 'ENOENT' ? ERRNO_ENOENT : ERRNO_EINVAL,
        );
        return;
      }
      default:
        this.host.logger.warn({ client: this.number, request: type }, 'usbmuxd: unknown request');
        this.sendResult(tag, UsbmuxResult.BADCOMMAND);
    }
  }

  /** Result 0, then one Attached per present device; from now on the connection only receives events. */
  private startListening(tag: number): void {
    this.sendResult(tag, UsbmuxResult.OK);
    this.state = 'listen';
    this.host.startListening(this);
  }

  private connect(deviceId: number, port: number, tag: number): void {
    const device = this.host.findDevice(deviceId);
    if (!device) return this.sendResult(tag, UsbmuxResult.BADDEV);
    const handOff = device.connect(port);
    if (!handOff) {
      this.host.logger.debug({ client: this.number, udid: device.udid, port }, 'usbmuxd: connection refused');
      return this.sendResult(tag, UsbmuxResult.CONNREFUSED);
    }
    // From here the socket belongs to the device: stop reading usbmuxd packets before the reply goes out, so
    // the first bytes of the tunnel (often sent the moment the client sees Result 0) stay in the socket.
    this.state = 'connected';
    const early = this.reader.detach();
    if (early.length > 0) this.socket.unshift(early);
    this.sendResult(tag, UsbmuxResult.OK);
    device.tunnels.add(this.socket);
    this.socket.once('close', () => device.tunnels.delete(this.socket));
    this.host.logger.debug({ client: this.number, udid: device.udid, port }, 'usbmuxd: tunnel open');
    handOff(this.socket);
  }

  private sendResult(tag: number, result: number): void {
    if (this.protoVersion === UsbmuxVersion.PLIST) this.sendPlist({ MessageType: 'Result', Number: result }, tag);
    else this.socket.write(encodeBinaryResult(result, tag));
  }

  private sendPlist(payload: PlistDict, tag: number): void {
    this.socket.write(encodePlistPacket(payload, tag));
  }

  private rememberClientInfo(request: PlistDict): void {
    const info: PlistDict = {};
    for (const key of ['BundleID', 'ClientVersionString', 'ProgName', 'kLibUSBMuxVersion']) {
      const value = request[key];
      if (value !== undefined) info[key] = value;
    }
    this.info = info;
  }
}

function attachedMessage(device: AttachedDevice): PlistDict {
  return {
    DeviceID: device.deviceId,
    MessageType: 'Attached',
    Properties: buildAttachedProperties({ ...device, serialNumber: device.udid }),
  };
}

function listenerEntry(connection: UsbmuxdConnection): PlistDict {
  const progName = typeof connection.info.ProgName === 'string' ? connection.info.ProgName : 'unknown';
  const entry: PlistDict = {
    Blacklisted: false,
    ConnType: 0,
    'ID String': `${connection.number}-${progName}`,
    ProgName: progName,
  };
  if (connection.info.BundleID !== undefined) entry.BundleID = connection.info.BundleID;
  entry.kLibUSBMuxVersion = plistNumber(connection.info.kLibUSBMuxVersion) ?? 0;
  return entry;
}
