import type { Duplex, Writable } from 'node:stream';
import { Real, isPlistDict, plistNumber, type PlistDict, type PlistValue } from '../../plist/index.js';
import {
  FileBlock,
  STREAM_END,
  asDeviceLinkMessage,
  encodeFileBlock,
  encodeStreamPath,
  type DeviceLinkMessage,
} from '../../services/device-link/protocol.js';
import { SocketReader, encodePlistFrame, readPlistFrame, writeAll, writeBuffered } from '../../wire/index.js';
import { EmulatorError } from '../errors.js';

const MAX_PATH = 4096;
/** Hosts send 32 KiB blocks; anything near this is hostile. */
const MAX_BLOCK = 16 * 1024 * 1024;
/** Device → host data blocks. libimobiledevice reads any size; 64 KiB halves the per-block cost of 32 KiB. */
export const UPLOAD_BLOCK = 64 * 1024;

/** A host status reply: `["DLMessageStatusResponse", code, text, value]`. */
export interface HostStatus {
  code: number;
  text: string;
  value: PlistValue;
}

/**
 * The device end of a DeviceLink conversation (native-notes/protocols/device-link.md "Version exchange";
 * native-notes/protocols/mobilebackup2.md "Device messages during a backup", "File streams"): binary plist messages,
 * the raw file streams both ways, and the host's status replies. The device speaks first.
 */
export class DeviceSideLink {
  readonly reader: SocketReader;
  /** File bytes this link has sent (fault injection counts them). */
  bytesSent = 0;
  /** Fault injection: once this many file bytes are out, the connection drops as if the cable were pulled. */
  dropAfterBytes: number | undefined;

  constructor(
    readonly socket: Duplex,
    timeoutMs: number,
  ) {
    this.reader = new SocketReader(socket, timeoutMs);
  }

  send(message: PlistValue[]): Promise<void> {
    return writeAll(this.socket, encodePlistFrame(message, 'binary'));
  }

  async receive(waitingFor: string, timeoutMs?: number): Promise<DeviceLinkMessage> {
    return asDeviceLinkMessage(await readPlistFrame(this.reader, { waitingFor, timeoutMs }));
  }

  /** Version exchange (we announce `major`), DeviceReady; returns false when the host refused the version. */
  async handshake(major: number): Promise<boolean> {
    await this.send(['DLMessageVersionExchange', major, 0]);
    const answer = await this.receive("the host's DLVersionsOk");
    if (answer[0] !== 'DLMessageVersionExchange' || answer[1] !== 'DLVersionsOk') return false;
    await this.send(['DLMessageDeviceReady']);
    return true;
  }

  /** The payload of the host's next DLMessageProcessMessage (undefined when it disconnected instead). */
  async receiveRequest(waitingFor: string): Promise<PlistDict | undefined> {
    const message = await this.receive(waitingFor);
    if (message[0] === 'DLMessageDisconnect') return undefined;
    if (message[0] !== 'DLMessageProcessMessage' || !isPlistDict(message[1])) {
      throw new EmulatorError(
        'EMULATOR_PROTOCOL',
        `expected a DLMessageProcessMessage from the host, got ${message[0]}`,
      );
    }
    return message[1];
  }

  async receiveStatus(): Promise<HostStatus> {
    const message = await this.receive("the host's status reply");
    if (message[0] !== 'DLMessageStatusResponse')
      throw new EmulatorError('EMULATOR_PROTOCOL', `expected DLMessageStatusResponse, got ${message[0]}`);
    return { code: plistNumber(message[1]) ?? -1, text: String(message[2] ?? ''), value: message[3] ?? '' };
  }

  /** Sends a request-style message and waits for the host's status. */
  async ask(message: PlistValue[]): Promise<HostStatus> {
    await this.send(message);
    return this.receiveStatus();
  }

  /**
   * DLMessageDownloadFiles: the host streams each path back (§5.4, host → device). `sink(path)` gives where a file's
   * bytes go (undefined to drop them). Returns the paths the host had, then its status.
   */
  async download(
    paths: string[],
    progress: number,
    sink: (path: string) => Writable | undefined,
  ): Promise<{ received: Set<string>; status: HostStatus }> {
    await this.send(['DLMessageDownloadFiles', paths, {}, new Real(progress), 0]);
    const received = new Set<string>();
    for (;;) {
      const pathLength = (await this.reader.readExactly(4)).readUInt32BE(0);
      if (pathLength === 0) break;
      if (pathLength > MAX_PATH)
        throw new EmulatorError('EMULATOR_PROTOCOL', `the host sent a ${pathLength}-byte path`);
      const path = (await this.reader.readExactly(pathLength)).toString('utf8');
      const target = sink(path);
      let ok = false;
      for (;;) {
        const length = (await this.reader.readExactly(4)).readUInt32BE(0);
        if (length === 0 || length > MAX_BLOCK)
          throw new EmulatorError('EMULATOR_PROTOCOL', `the host sent a block of length ${length}`);
        const code = (await this.reader.readExactly(1))[0];
        const payload = length > 1 ? await this.reader.readExactly(length - 1) : Buffer.alloc(0);
        if (code === FileBlock.DATA) {
          if (target && !target.write(payload)) await new Promise((resolve) => target.once('drain', resolve));
          continue;
        }
        ok = code === FileBlock.SUCCESS;
        break;
      }
      if (target)
        await new Promise<void>((resolve, reject) =>
          target.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      if (ok) received.add(path);
    }
    return { received, status: await this.receiveStatus() };
  }

  /** Starts one file of an UploadFiles stream (§5.4, device → host): device path, host path. */
  beginUpload(devicePath: string, hostPath: string): Promise<void> {
    return writeBuffered(this.socket, Buffer.concat([encodeStreamPath(devicePath), encodeStreamPath(hostPath)]));
  }

  async uploadData(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; at += UPLOAD_BLOCK) {
      let piece = chunk.subarray(at, at + UPLOAD_BLOCK);
      const allowed = this.dropAfterBytes === undefined ? piece.length : this.dropAfterBytes - this.bytesSent;
      if (allowed < piece.length) {
        // Half a block on the wire and then nothing: what a pulled cable leaves the host with.
        piece = piece.subarray(0, Math.max(0, allowed));
        await writeAll(
          this.socket,
          encodeFileBlock(FileBlock.DATA, chunk.subarray(at, at + UPLOAD_BLOCK)).subarray(0, 5 + piece.length),
        );
        this.bytesSent += piece.length;
        this.socket.destroy();
        throw new EmulatorError(
          'EMULATOR_FAULT',
          `fault injection: connection dropped after ${this.bytesSent} file bytes`,
        );
      }
      await writeBuffered(this.socket, encodeFileBlock(FileBlock.DATA, piece));
      this.bytesSent += piece.length;
    }
  }

  endUpload(): Promise<void> {
    return writeBuffered(this.socket, encodeFileBlock(FileBlock.SUCCESS));
  }

  /** The end of the upload stream; waits until it has left, as the host's status reply follows it. */
  endUploadStream(): Promise<void> {
    return writeAll(this.socket, STREAM_END);
  }

  close(): void {
    this.reader.detach();
    this.socket.destroy();
  }
}
