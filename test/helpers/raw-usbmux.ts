import net from 'node:net';
import type { Duplex } from 'node:stream';
import { isPlistDict, type PlistDict } from '../../src/plist/index.js';
import {
  USBMUX_HEADER_SIZE,
  decodePlistPayload,
  decodeUsbmuxHeader,
  encodePlistPacket,
  swapPortBytes,
  type UsbmuxHeader,
} from '../../src/usbmux/protocol.js';
import { PlistConnection, SocketReader } from '../../src/wire/index.js';

/**
 * A deliberately small usbmuxd/lockdown client built only from the pure protocol codecs, for tests that poke the
 * virtual iPhone with exact bytes (and hostile ones). Not the product's client: that one is tested against the
 * emulator separately, so the two cannot share a bug unnoticed.
 */
export class RawUsbmux {
  readonly reader: SocketReader;
  private tag = 1;

  private constructor(readonly socket: net.Socket) {
    this.reader = new SocketReader(socket, 5_000);
  }

  static connect(socketPath: string): Promise<RawUsbmux> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('connect', () => resolve(new RawUsbmux(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a plist request with the next tag; returns the tag. */
  send(request: PlistDict): number {
    const tag = this.tag++;
    this.socket.write(encodePlistPacket(request, tag));
    return tag;
  }

  async readPacket(timeoutMs = 5_000): Promise<{ header: UsbmuxHeader; body: Buffer }> {
    const header = decodeUsbmuxHeader(await this.reader.readExactly(USBMUX_HEADER_SIZE, { timeoutMs }));
    const body = await this.reader.readExactly(header.length - USBMUX_HEADER_SIZE, { timeoutMs });
    return { header, body };
  }

  async readPlist(timeoutMs = 5_000): Promise<{ tag: number; message: PlistDict }> {
    const { header, body } = await this.readPacket(timeoutMs);
    return { tag: header.tag, message: decodePlistPayload(body) };
  }

  async request(request: PlistDict): Promise<PlistDict> {
    const tag = this.send(request);
    const reply = await this.readPlist();
    if (reply.tag !== tag) throw new Error(`reply tag ${reply.tag} for request tag ${tag}`);
    return reply.message;
  }

  /** Resolves true when the server closes the connection within the time. */
  closedWithin(timeoutMs = 2_000): Promise<boolean> {
    return this.reader.readExactly(1, { timeoutMs }).then(
      () => false,
      (error: { code?: string }) => error.code === 'WIRE_CLOSED',
    );
  }

  /** usbmuxd Connect to a device port; on Result 0 returns the raw tunnel socket. */
  async connectToPort(deviceId: number, port: number): Promise<{ result: number; socket?: Duplex }> {
    const reply = await this.request({ MessageType: 'Connect', DeviceID: deviceId, PortNumber: swapPortBytes(port) });
    const result = reply.Number as number;
    if (result !== 0) return { result };
    this.reader.detach();
    return { result, socket: this.socket };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Opens a lockdown (or any plist service) connection to a device port through the virtual usbmuxd. */
export async function openDevicePort(socketPath: string, deviceId: number, port = 62078): Promise<PlistConnection> {
  const mux = await RawUsbmux.connect(socketPath);
  const { result, socket } = await mux.connectToPort(deviceId, port);
  if (result !== 0 || !socket) {
    mux.close();
    throw new Error(`usbmuxd Connect to port ${port} answered ${result}`);
  }
  return new PlistConnection(socket, { format: 'xml', timeoutMs: 5_000 });
}

export function asDict(value: unknown): PlistDict {
  if (!isPlistDict(value)) throw new Error('expected a dict');
  return value;
}
