import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  DeviceLinkChannel,
  FileBlock,
  STREAM_END,
  encodeFileBlock,
  encodeStreamPath,
  receiveFiles,
  type FileSink,
} from '../../src/services/device-link/index.js';
import { socketPair } from '../helpers/socket-pair.js';

/** The phone's upload stream (DLMessageUploadFiles) as a hostile or unlucky phone sends it, read by receiveFiles. */
const HOST_PATH = 'UDID/3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28';

function fileStream(blocks: Buffer[]): Buffer {
  return Buffer.concat([encodeStreamPath('/var/mobile/Library/SMS/sms.db'), encodeStreamPath(HOST_PATH), ...blocks]);
}

describe('receiving the files a phone uploads', () => {
  it('a file whose last write fails is reported as a failure (the phone is told), never counted as saved', async () => {
    const pair = await socketPair();
    try {
      // Like StagedFile: a small file is written when it ends, and its clean-up (destroy) takes a disk round trip,
      // so end()'s callback hears of the failure before the 'error' event does.
      const sink: FileSink = {
        async openForWrite() {
          return new Writable({
            write: (_chunk, _encoding, callback) => callback(),
            final: (callback) =>
              callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
            destroy: (error, callback) => setTimeout(() => callback(error), 5),
          });
        },
      };
      const received = receiveFiles(new DeviceLinkChannel(pair.client, { timeoutMs: 2_000 }), sink);
      pair.server.write(
        Buffer.concat([
          fileStream([encodeFileBlock(FileBlock.DATA, Buffer.from('hello')), encodeFileBlock(FileBlock.SUCCESS)]),
          STREAM_END,
        ]),
      );
      const result = await received;
      expect(result.files).toBe(0);
      expect(result.failures).toEqual([{ path: HOST_PATH, message: expect.stringMatching(/ENOSPC/), code: 'ENOSPC' }]);
    } finally {
      pair.close();
    }
  });

  it('a block that would take a file past the cap ends the upload with DEVICELINK_FILE_TOO_LARGE before its payload is read', async () => {
    const pair = await socketPair();
    try {
      let destroyed = false;
      const sink: FileSink = {
        async openForWrite() {
          return new Writable({
            write: (_chunk, _encoding, callback) => callback(),
            destroy: (error, callback) => ((destroyed = true), callback(error)),
          });
        },
      };
      const received = receiveFiles(new DeviceLinkChannel(pair.client, { timeoutMs: 2_000 }), sink, {
        maxFileBytes: 1_000,
      });
      // 600 bytes, then a header announcing 1 MB more and no payload at all: waiting for it would time out.
      const header = Buffer.alloc(5);
      header.writeUInt32BE(1_000_001, 0);
      header[4] = FileBlock.DATA;
      pair.server.write(Buffer.concat([fileStream([encodeFileBlock(FileBlock.DATA, Buffer.alloc(600))]), header]));
      await expect(received).rejects.toMatchObject({
        code: 'DEVICELINK_FILE_TOO_LARGE',
        details: { devicePath: '/var/mobile/Library/SMS/sms.db', path: HOST_PATH, bytes: 1_000_600, limit: 1_000 },
      });
      expect(destroyed).toBe(true);
    } finally {
      pair.close();
    }
  });
});
