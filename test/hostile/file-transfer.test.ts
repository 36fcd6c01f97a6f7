import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DeviceLinkChannel, FileBlock, STREAM_END, encodeFileBlock, encodeStreamPath, receiveFiles, type FileSink } from '../../src/services/device-link/index.js';
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
            final: (callback) => callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
            destroy: (error, callback) => setTimeout(() => callback(error), 5),
          });
        },
      };
      const received = receiveFiles(new DeviceLinkChannel(pair.client, { timeoutMs: 2_000 }), sink);
      pair.server.write(Buffer.concat([fileStream([encodeFileBlock(FileBlock.DATA, Buffer.from('hello')), encodeFileBlock(FileBlock.SUCCESS)]), STREAM_END]));
      const result = await received;
      expect(result.files).toBe(0);
      expect(result.failures).toEqual([{ path: HOST_PATH, message: expect.stringMatching(/ENOSPC/), code: 'ENOSPC' }]);
    } finally {
      pair.close();
    }
  });
});
