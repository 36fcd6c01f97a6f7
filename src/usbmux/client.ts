/**
 * A usbmuxd client. Written here rather than on appium-ios-device's usbmux module, which polls for replies every
 * 50 ms, caps messages at 1 MiB and has no Listen, SavePairRecord or DeletePairRecord: our reads are event-driven
 * with a timeout and a size cap, and cover the whole protocol. appium-ios-device stays in the test suite as an
 * independent client of the virtual iPhone.
 *
 * Like libusbmuxd, every request uses its own connection; a successful Connect turns that connection into the
 * tunnel to the device port.
 */
import net from 'node:net';
import { isPlistDict, toBinaryPlist, type PlistDict } from '../plist/index.js';
import { SocketReader, WireError, writeAll } from '../wire/index.js';
import { defaultUsbmuxAddress, formatUsbmuxAddress, resolveUsbmuxAddress, type UsbmuxAddress } from './address.js';
import { UsbmuxError } from './errors.js';
import {
  ERRNO_ENOENT,
  USBMUX_HEADER_SIZE,
  UsbmuxResult,
  buildRequest,
  decodePlistPayload,
  decodeUsbmuxHeader,
  encodePlistPacket,
  parseAttachedDevice,
  resultNumber,
  swapPortBytes,
  type AttachedDevice,
  type ClientIdentity,
} from './protocol.js';

export type UsbmuxEvent =
  | { type: 'attached'; device: AttachedDevice }
  | { type: 'detached'; deviceId: number }
  | { type: 'paired'; deviceId: number };

export interface UsbmuxClientOptions {
  address?: UsbmuxAddress;
  progName?: string;
  /** How long to wait for each reply (libusbmuxd waits 5 s). */
  timeoutMs?: number;
}

export class UsbmuxClient {
  readonly address: UsbmuxAddress;
  private readonly identity: ClientIdentity;
  private readonly timeoutMs: number;
  private nextTag = 1;

  constructor(options: UsbmuxClientOptions = {}) {
    this.address = options.address ?? resolveUsbmuxAddress();
    this.identity = { progName: options.progName ?? 'iosrescue', clientVersion: 'iosrescue 0.1' };
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async listDevices(): Promise<AttachedDevice[]> {
    const reply = await this.oneShot('ListDevices');
    if (resultNumber(reply) !== undefined) {
      throw new UsbmuxError('USBMUX_RESULT', `usbmuxd refused ListDevices (result ${resultNumber(reply)})`);
    }
    const list = reply.DeviceList;
    if (!Array.isArray(list)) throw new UsbmuxError('USBMUX_BAD_PACKET', 'the ListDevices reply has no DeviceList');
    return list.map((entry) => {
      if (!isPlistDict(entry)) throw new UsbmuxError('USBMUX_BAD_DEVICE', 'a DeviceList entry is not a dict');
      return parseAttachedDevice(entry);
    });
  }

  /**
   * Attach/detach/paired events as they happen, starting with one `attached` per present device. Ends when the
   * caller stops iterating (`break`, `return()`) or the signal aborts; fails if usbmuxd goes away.
   */
  async *listen(signal?: AbortSignal): AsyncGenerator<UsbmuxEvent> {
    const { socket, reader } = await this.open();
    const onAbort = (): void => {
      socket.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await this.exchange(socket, reader, 'Listen');
      const result = resultNumber(reply);
      if (result !== UsbmuxResult.OK)
        throw new UsbmuxError('USBMUX_RESULT', `usbmuxd refused Listen (result ${result})`);
      for (;;) {
        let message: PlistDict;
        try {
          message = await this.readMessage(reader, 0);
        } catch (error) {
          if (signal?.aborted) return;
          throw error;
        }
        if (message.MessageType === 'Attached') yield { type: 'attached', device: parseAttachedDevice(message) };
        else if (message.MessageType === 'Detached') yield { type: 'detached', deviceId: Number(message.DeviceID) };
        else if (message.MessageType === 'Paired') yield { type: 'paired', deviceId: Number(message.DeviceID) };
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reader.detach();
      socket.destroy();
    }
  }

  /**
   * Opens a tunnel to a TCP port on the device; the returned socket carries that port's stream. It comes back
   * paused, so no byte is lost before its new owner (a SocketReader, pipe(), a TLS wrapper) starts reading.
   */
  async connect(deviceId: number, port: number): Promise<net.Socket> {
    const { socket, reader } = await this.open();
    try {
      const reply = await this.exchange(socket, reader, 'Connect', {
        DeviceID: deviceId,
        PortNumber: swapPortBytes(port),
      });
      const result = resultNumber(reply);
      if (result !== UsbmuxResult.OK) {
        const code =
          result === UsbmuxResult.CONNREFUSED
            ? 'USBMUX_CONNECTION_REFUSED'
            : result === UsbmuxResult.BADDEV
              ? 'USBMUX_DEVICE_NOT_FOUND'
              : 'USBMUX_RESULT';
        throw new UsbmuxError(
          code,
          `usbmuxd could not connect to port ${port} on device ${deviceId} (result ${result})`,
          {
            details: { deviceId, port, result },
          },
        );
      }
      const early = reader.detach();
      // Bytes the device sent right after the Result belong to the tunnel: put them back in front.
      if (early.length > 0) socket.unshift(early);
      return socket;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** The stored pair record's bytes (binary or XML plist), or undefined when usbmuxd has none. */
  async readPairRecord(udid: string): Promise<Buffer | undefined> {
    const reply = await this.oneShot('ReadPairRecord', { PairRecordID: udid });
    // usbmuxd answers a missing record with a Result (errno 2) instead of PairRecordData.
    if (resultNumber(reply) !== undefined) return undefined;
    const data = reply.PairRecordData;
    return Buffer.isBuffer(data) && data.length > 0 ? data : undefined;
  }

  async savePairRecord(udid: string, deviceId: number | undefined, record: PlistDict): Promise<void> {
    const extra: PlistDict = { PairRecordID: udid, PairRecordData: toBinaryPlist(record) };
    if (deviceId && deviceId > 0) extra.DeviceID = deviceId;
    const reply = await this.oneShot('SavePairRecord', extra);
    const result = resultNumber(reply);
    if (result !== UsbmuxResult.OK)
      throw new UsbmuxError('USBMUX_RESULT', `usbmuxd could not save the pair record (result ${result})`);
  }

  async deletePairRecord(udid: string): Promise<void> {
    const reply = await this.oneShot('DeletePairRecord', { PairRecordID: udid });
    const result = resultNumber(reply);
    if (result !== UsbmuxResult.OK && result !== ERRNO_ENOENT) {
      throw new UsbmuxError('USBMUX_RESULT', `usbmuxd could not delete the pair record (result ${result})`);
    }
  }

  /** usbmuxd's host identifier (SystemBUID), sent by lockdown clients in StartSession and pair records. */
  async readBuid(): Promise<string> {
    const reply = await this.oneShot('ReadBUID');
    if (typeof reply.BUID !== 'string') throw new UsbmuxError('USBMUX_BAD_PACKET', 'the ReadBUID reply has no BUID');
    return reply.BUID;
  }

  private async oneShot(type: string, extra: PlistDict = {}): Promise<PlistDict> {
    const { socket, reader } = await this.open();
    try {
      return await this.exchange(socket, reader, type, extra);
    } finally {
      reader.detach();
      socket.destroy();
    }
  }

  private async exchange(
    socket: net.Socket,
    reader: SocketReader,
    type: string,
    extra: PlistDict = {},
  ): Promise<PlistDict> {
    const tag = this.nextTag++;
    try {
      await writeAll(socket, encodePlistPacket(buildRequest(type, this.identity, extra), tag));
    } catch (error) {
      throw this.lost(error, `sending ${type}`);
    }
    return this.readMessage(reader, this.timeoutMs, type);
  }

  private async readMessage(reader: SocketReader, timeoutMs: number, waitingFor = 'usbmuxd event'): Promise<PlistDict> {
    try {
      const header = decodeUsbmuxHeader(
        await reader.readExactly(USBMUX_HEADER_SIZE, { timeoutMs, waitingFor: `usbmuxd reply to ${waitingFor}` }),
      );
      // Once a header is in, its body follows at once, even on a Listen connection that otherwise waits forever.
      const body = await reader.readExactly(header.length - USBMUX_HEADER_SIZE, {
        timeoutMs: timeoutMs || this.timeoutMs,
        waitingFor: `the rest of usbmuxd's ${waitingFor} reply`,
      });
      return decodePlistPayload(body);
    } catch (error) {
      throw this.lost(
        error,
        `waiting for its ${waitingFor === 'usbmuxd event' ? 'next event' : `reply to ${waitingFor}`}`,
      );
    }
  }

  /**
   * A connection to usbmuxd itself that broke is said to be one, with the daemon's address (the wire layer can only
   * say "the phone or usbmuxd"); the code stays the wire layer's. Anything else passes unchanged.
   */
  private lost(error: unknown, doing: string): unknown {
    if (!(error instanceof WireError) || (error.code !== 'WIRE_SOCKET_ERROR' && error.code !== 'WIRE_CLOSED'))
      return error;
    const errno = typeof error.details.errno === 'string' ? ` (${error.details.errno})` : '';
    return new WireError(
      error.code,
      `the connection to usbmuxd at ${formatUsbmuxAddress(this.address)} was lost while ${doing}${errno}: is usbmuxd (or the virtual iPhone) still running?`,
      {
        cause: error,
        details: { ...error.details, address: formatUsbmuxAddress(this.address) },
      },
    );
  }

  private open(): Promise<{ socket: net.Socket; reader: SocketReader }> {
    const address = this.address;
    return new Promise((resolve, reject) => {
      const socket = address.kind === 'unix' ? net.connect(address.path) : net.connect(address.port, address.host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unreachable(address, 'timed out'));
      }, this.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve({ socket, reader: new SocketReader(socket, this.timeoutMs) });
      });
      const onError = (error: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(unreachable(address, error.code ?? error.message, error));
      };
      socket.once('error', onError);
    });
  }
}

function unreachable(address: UsbmuxAddress, why: string, cause?: unknown): UsbmuxError {
  const where = formatUsbmuxAddress(address);
  const isDefault = formatUsbmuxAddress(defaultUsbmuxAddress()) === where;
  const hint = isDefault
    ? 'is usbmuxd running? (Linux: install the usbmuxd package and plug a phone in; macOS: built in; Windows: Apple Mobile Device Service). To use the virtual iPhone: iosrescue emulator --socket /tmp/iosrescue.sock, then USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/iosrescue.sock'
    : 'is the daemon (or the virtual iPhone) running there?';
  return new UsbmuxError('USBMUX_UNREACHABLE', `cannot reach usbmuxd at ${where} (${why}): ${hint}`, {
    cause,
    details: { address: where },
  });
}
