import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Real, type PlistValue } from '../../../src/plist/index.js';
import { Mobilebackup2Client, type TransferProgress } from '../../../src/services/mobilebackup2/index.js';
import { SocketReader, encodePlistFrame, readPlistFrame } from '../../../src/wire/index.js';
import { DirBackupHost } from '../../helpers/dir-backup-host.js';
import { socketPair } from '../../helpers/socket-pair.js';

/**
 * A scripted phone: it sends the exact byte sequences of a real device's mobilebackup2
 * (native-notes/protocols/mobilebackup2.md; native-notes/protocols/libimobiledevice-interop.md
 * "What the tools need from a device") over a real socket, and checks what the host answers.
 */
class ScriptedPhone {
  readonly reader: SocketReader;
  constructor(readonly socket: Socket) {
    this.reader = new SocketReader(socket, 10_000);
  }
  send(value: PlistValue): void {
    this.socket.write(encodePlistFrame(value, 'binary'));
  }
  receive(): Promise<PlistValue> {
    return readPlistFrame(this.reader);
  }
  raw(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts));
  }
  async u32(): Promise<number> {
    return (await this.reader.readExactly(4)).readUInt32BE(0);
  }
  /** Reads one host→device file stream entry: path, then blocks until success or error. */
  async readSentFile(): Promise<{ path: string; data: Buffer; error?: string } | undefined> {
    const length = await this.u32();
    if (length === 0) return undefined;
    const path = (await this.reader.readExactly(length)).toString();
    const parts: Buffer[] = [];
    for (;;) {
      const blockLength = await this.u32();
      const code = (await this.reader.readExactly(1))[0];
      const payload = blockLength > 1 ? await this.reader.readExactly(blockLength - 1) : Buffer.alloc(0);
      if (code === 0x0c) parts.push(payload);
      else if (code === 0x00) return { path, data: Buffer.concat(parts) };
      else return { path, data: Buffer.concat(parts), error: payload.toString() };
    }
  }
  /** Version exchange and Hello, as a phone on iOS 14+ does them. */
  async handshake(): Promise<void> {
    this.send(['DLMessageVersionExchange', 400, 0]);
    expect(await this.receive()).toEqual(['DLMessageVersionExchange', 'DLVersionsOk', 400]);
    this.send(['DLMessageDeviceReady']);
    const hello = (await this.receive()) as [string, { MessageName: string; SupportedProtocolVersions: unknown[] }];
    expect(hello[1].MessageName).toBe('Hello');
    expect(hello[1].SupportedProtocolVersions).toEqual([new Real(2), new Real(2.1)]);
    this.send(['DLMessageProcessMessage', { MessageName: 'Response', ErrorCode: 0, ProtocolVersion: new Real(2.1) }]);
  }
}

function uploadEntry(hostPath: string, data: Buffer): Buffer {
  const header = (text: string): Buffer => {
    const bytes = Buffer.from(text);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const block = (code: number, payload: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(payload.length + 1);
    return Buffer.concat([length, Buffer.from([code]), payload]);
  };
  return Buffer.concat([
    header(`/var/tmp/${hostPath}`),
    header(hostPath),
    block(0x0c, data),
    block(0x00, Buffer.alloc(0)),
  ]);
}

const UDID = '00008030-001D35093EF2402E';
let root: string;
let close: () => void;
let host: Socket;
let phone: ScriptedPhone;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'iosr-mb2-'));
  const pair = await socketPair();
  close = pair.close;
  host = pair.client;
  phone = new ScriptedPhone(pair.server);
});
afterEach(async () => {
  close();
  await rm(root, { recursive: true, force: true });
});

describe('mobilebackup2 host side against a scripted phone', () => {
  it('runs a minimal full backup: download, listing, free space, directories, upload, final success', async () => {
    const progress: TransferProgress[] = [];
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const client = await started;
    expect(client.protocolVersion).toBe(2.1);
    const done = client.backup({
      udid: UDID,
      host: new DirBackupHost(root, 123_456_789),
      onProgress: (p) => progress.push(p),
    });

    const request = (await phone.receive()) as [string, Record<string, unknown>];
    expect(request[1]).toEqual({ MessageName: 'Backup', TargetIdentifier: UDID, SourceIdentifier: UDID });

    phone.send(['DLMessageDownloadFiles', [`${UDID}/Status.plist`], {}, new Real(1.5), 0]);
    expect(await phone.readSentFile()).toEqual({
      path: `${UDID}/Status.plist`,
      data: Buffer.alloc(0),
      error: 'No such file or directory',
    });
    expect(await phone.u32()).toBe(0);
    expect(await phone.receive()).toEqual([
      'DLMessageStatusResponse',
      -13,
      'Multi status',
      { [`${UDID}/Status.plist`]: { DLFileErrorString: 'No such file or directory', DLFileErrorCode: -6 } },
    ]);

    phone.send(['DLContentsOfDirectory', UDID, {}]);
    expect(await phone.receive()).toEqual(['DLMessageStatusResponse', 0, '___EmptyParameterString___', {}]);
    phone.send(['DLMessageGetFreeDiskSpace']);
    expect(await phone.receive()).toEqual(['DLMessageStatusResponse', 0, '___EmptyParameterString___', 123_456_789]);
    for (const dir of [UDID, `${UDID}/ab`]) {
      phone.send(['DLMessageCreateDirectory', dir, {}, new Real(2)]);
      expect(await phone.receive()).toEqual([
        'DLMessageStatusResponse',
        0,
        '___EmptyParameterString___',
        '___EmptyParameterString___',
      ]);
    }

    const photo = Buffer.alloc(100_000, 7);
    phone.send(['DLMessageUploadFiles', {}, new Real(50), photo.length + 5]);
    phone.raw(
      uploadEntry(`${UDID}/ab/ab12`, photo),
      uploadEntry(`${UDID}/Status.plist`, Buffer.from('state')),
      Buffer.alloc(4),
    );
    expect(await phone.receive()).toEqual(['DLMessageStatusResponse', 0, '___EmptyParameterString___', {}]);

    phone.send(['DLMessageMoveItems', { [`${UDID}/Status.plist`]: `${UDID}/Status2.plist` }, {}, new Real(90)]);
    expect(((await phone.receive()) as PlistValue[])[1]).toBe(0);
    phone.send(['DLMessagePurgeDiskSpace', 1000, 4]);
    expect(await phone.receive()).toEqual(['DLMessageStatusResponse', -1, 'Operation not supported', {}]);
    phone.send(['DLMessageProcessMessage', { ErrorCode: 0, MessageName: 'Response' }]);

    expect(await done).toMatchObject({ ErrorCode: 0 });
    expect(await readFile(join(root, UDID, 'ab/ab12'))).toEqual(photo);
    expect(await readFile(join(root, UDID, 'Status2.plist'), 'utf8')).toBe('state');
    const last = progress.at(-1)!;
    expect(last.phase).toBe('finishing');
    expect(last.bytesReceived).toBe(photo.length + 5);
    expect(last.filesReceived).toBe(2);
    expect(progress.some((p) => p.percent === 50)).toBe(true);
    const goodbye = client.disconnect();
    expect(await phone.receive()).toEqual(['DLMessageDisconnect', '___EmptyParameterString___']);
    await goodbye;
  });

  it('sends files the phone downloads in 32 KiB blocks', async () => {
    await mkdir(join(root, UDID), { recursive: true });
    const manifest = Buffer.alloc(70_000, 3);
    await writeFile(join(root, UDID, 'Manifest.db'), manifest);
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const done = (await started).backup({ udid: UDID, host: new DirBackupHost(root) });
    await phone.receive();
    phone.send(['DLMessageDownloadFiles', [`${UDID}/Manifest.db`], {}, new Real(1), 0]);
    const sent = await phone.readSentFile();
    expect(sent?.data).toEqual(manifest);
    expect(await phone.u32()).toBe(0);
    expect(((await phone.receive()) as PlistValue[])[1]).toBe(0);
    phone.send(['DLMessageProcessMessage', { ErrorCode: 0 }]);
    await done;
  });

  it("turns the phone's error code 105 into a typed error that says what to do", async () => {
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const done = (await started).backup({ udid: UDID, host: new DirBackupHost(root) }).catch((e: unknown) => e);
    await phone.receive();
    phone.send([
      'DLMessageProcessMessage',
      { ErrorCode: 105, ErrorDescription: 'Insufficient free disk space on drive to back up' },
    ]);
    const error = (await done) as { code: string; message: string };
    expect(error.code).toBe('MB2_DEVICE_105');
    expect(error.message).toMatch(/Insufficient free disk space.*free space/);
  });

  it('ends a silent phone with MB2_TIMEOUT naming what it waited for', async () => {
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const done = (await started)
      .backup({ udid: UDID, host: new DirBackupHost(root), firstMessageTimeoutMs: 200 })
      .catch((e: unknown) => e);
    await phone.receive();
    const error = (await done) as { code: string; message: string };
    expect(error.code).toBe('MB2_TIMEOUT');
    expect(error.message).toMatch(/passcode/);
  });

  it('refuses a file path longer than the cap instead of allocating it', async () => {
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const done = (await started).backup({ udid: UDID, host: new DirBackupHost(root) }).catch((e: unknown) => e);
    await phone.receive();
    phone.send(['DLMessageUploadFiles', {}, new Real(1), 10]);
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(0x7fffffff);
    phone.raw(huge);
    expect(await done).toMatchObject({ code: 'DEVICELINK_PATH_TOO_LONG' });
  });

  it('keeps the stream in step when the host refuses a path, and reports the refusal to the phone', async () => {
    const started = Mobilebackup2Client.start(host);
    await phone.handshake();
    const done = (await started).backup({ udid: UDID, host: new DirBackupHost(root) });
    await phone.receive();
    phone.send(['DLMessageUploadFiles', {}, new Real(1), 10]);
    phone.raw(
      uploadEntry('../escape.txt', Buffer.from('evil')),
      uploadEntry(`${UDID}/ok`, Buffer.from('fine')),
      Buffer.alloc(4),
    );
    const status = (await phone.receive()) as [string, number, string];
    expect(status[1]).toBe(-1);
    expect(status[2]).toContain('refused');
    phone.send(['DLMessageProcessMessage', { ErrorCode: 0 }]);
    await done;
    expect(await readFile(join(root, UDID, 'ok'), 'utf8')).toBe('fine');
    await expect(readFile(join(root, '..', 'escape.txt'))).rejects.toThrow();
  });

  it('refuses a DeviceLink major version above 400', async () => {
    const started = Mobilebackup2Client.start(host).catch((e: unknown) => e);
    phone.send(['DLMessageVersionExchange', 401, 0]);
    expect(await phone.receive()).toEqual(['DLMessageDisconnect', '___EmptyParameterString___']);
    expect(await started).toMatchObject({ code: 'DEVICELINK_VERSION' });
  });
});
