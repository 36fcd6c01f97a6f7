import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../logging.js';
import { plistNumber, type PlistDict, type PlistValue } from '../../plist/index.js';
import { SocketReader, encodePlistFrame, readPlistFrame, writeAll } from '../../wire/index.js';
import { DeviceLinkError } from './errors.js';
import {
  DL_MAX_MAJOR,
  asDeviceLinkMessage,
  disconnectMessage,
  processMessage,
  statusResponse,
  versionsOk,
  type DeviceLinkMessage,
} from './protocol.js';

/**
 * A DeviceLink conversation over a service socket: length-prefixed binary plists (libimobiledevice sends binary to
 * DeviceLink services), with the raw file streams in between. The device speaks first.
 */
export class DeviceLinkChannel {
  readonly reader: SocketReader;
  private readonly logger: Logger;

  constructor(
    readonly socket: Duplex,
    options: { logger?: Logger; timeoutMs?: number } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.reader = new SocketReader(socket, options.timeoutMs ?? 60_000);
  }

  /** The device announces its version; we accept any major up to ours, answer DLVersionsOk, await DeviceReady. */
  async exchangeVersions(timeoutMs = 30_000): Promise<number> {
    const hello = await this.receive({ timeoutMs, waitingFor: 'the DeviceLink version exchange' });
    if (hello[0] !== 'DLMessageVersionExchange')
      throw new DeviceLinkError('DEVICELINK_BAD_MESSAGE', `expected a version exchange, got ${hello[0]}`);
    const major = plistNumber(hello[1]);
    if (major === undefined || major > DL_MAX_MAJOR) {
      await this.send(disconnectMessage());
      throw new DeviceLinkError(
        'DEVICELINK_VERSION',
        `the device speaks DeviceLink ${String(hello[1])}; we speak up to ${DL_MAX_MAJOR}`,
      );
    }
    await this.send(versionsOk(major));
    const ready = await this.receive({ timeoutMs, waitingFor: 'DLMessageDeviceReady' });
    if (ready[0] !== 'DLMessageDeviceReady')
      throw new DeviceLinkError('DEVICELINK_BAD_MESSAGE', `expected DLMessageDeviceReady, got ${ready[0]}`);
    this.logger.debug({ major }, 'DeviceLink versions agreed');
    return major;
  }

  send(message: PlistValue[]): Promise<void> {
    return writeAll(this.socket, encodePlistFrame(message, 'binary'));
  }

  sendProcessMessage(payload: PlistDict): Promise<void> {
    return this.send(processMessage(payload));
  }

  sendStatus(code: number, text?: string, value?: PlistValue): Promise<void> {
    return this.send(statusResponse(code, text, value));
  }

  async receive(options: { timeoutMs?: number; waitingFor?: string } = {}): Promise<DeviceLinkMessage> {
    return asDeviceLinkMessage(await readPlistFrame(this.reader, options));
  }

  /** Raw bytes of a file stream. */
  writeRaw(data: Buffer): Promise<void> {
    return writeAll(this.socket, data);
  }

  /** Tells the device we are done (`___EmptyParameterString___` as reason, as idevicebackup2 does) and closes. */
  async disconnect(): Promise<void> {
    try {
      await this.send(disconnectMessage());
    } catch {
      // The device may already be gone; closing is all that is left to do.
    }
    this.close();
  }

  close(): void {
    this.reader.detach();
    this.socket.destroy();
  }
}
