import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { CbcDecryptor } from './decrypt.js';

/** 512 KiB reads: big enough to amortise each thread-pool round trip, small enough to stay in cache. */
const CHUNK = 512 * 1024;

async function* decryptChunks(handle: FileHandle, key: Buffer, size: number | undefined): AsyncGenerator<Buffer> {
  const decryptor = new CbcDecryptor(key, size);
  // Two read buffers, reused: the next read is in flight while this chunk is decrypted (decipher.update copies its
  // input out synchronously, so a buffer is free again as soon as update returns). A small file gets buffers of
  // its own size (its ciphertext is at most 16 bytes longer), the second only if a second read comes: a megabyte
  // of buffers per 3 KB photo was most of what a 20,000-photo extraction allocated.
  const chunk = size === undefined ? CHUNK : Math.min(CHUNK, (Math.floor(size / 16) + 1) * 16);
  const buffers = [Buffer.allocUnsafe(chunk)];
  let which = 0;
  let pending = handle.read(buffers[0]!, 0, chunk, null);
  try {
    const { size: fileBytes } = await handle.stat();
    let position = 0;
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      position += bytesRead;
      which ^= 1;
      buffers[which] ??= Buffer.allocUnsafe(chunk);
      pending = handle.read(buffers[which]!, 0, chunk, null);
      // Whole chunks go out while at least one more block is still to come (only the last can be padding).
      for (const piece of decryptor.update(buffer.subarray(0, bytesRead), fileBytes - position >= 16)) yield piece;
    }
    const { tail, error } = decryptor.final();
    if (tail.length > 0) yield tail;
    if (error) throw error;
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/**
 * An encrypted backup file as a stream of plaintext: the same decryption as DecryptStream (PKCS#7 checked and
 * removed, cut to `size`, BACKUP_TRUNCATED_FILE / BACKUP_BAD_PADDING after the readable bytes), reading the file
 * itself with double-buffered reads. About 1.7x the throughput of createReadStream → DecryptStream here
 * (scripts/bench/decrypt.ts). `handle` comes from safe-open.ts's openRegularFile and is closed by the stream.
 */
export function decryptFile(handle: FileHandle, key: Buffer, size?: number): Readable {
  const stream = Readable.from(decryptChunks(handle, key, size), { objectMode: false, highWaterMark: 2 * CHUNK });
  // A stream destroyed before its first read never runs the generator's finally: the handle is closed here then.
  stream.once('close', () => void handle.close().catch(() => undefined));
  return stream;
}
