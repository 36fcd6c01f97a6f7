import { createCipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DecryptStream, decryptBuffer, pkcs7PaddingLength } from '../../../src/backup/decrypt.js';
import { encryptBuffer } from '../../../src/backup/encrypt.js';

const KEY = Buffer.alloc(32, 0x42);

async function collect(stream: Readable): Promise<{ data: Buffer; error?: { code?: string } }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { data: Buffer.concat(chunks) };
  } catch (error) {
    return { data: Buffer.concat(chunks), error: error as { code?: string } };
  }
}

/** Feeds `cipher` in awkward chunk sizes so block boundaries fall everywhere. */
function chunked(cipher: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < cipher.length; i++) {
    const n = sizes[i % sizes.length]!;
    parts.push(cipher.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts);
}

describe('AES-256-CBC backup decryption', () => {
  it('recognises valid PKCS#7 padding and rejects invalid', () => {
    expect(pkcs7PaddingLength(Buffer.from('000102030405060708090a0b0c030303', 'hex'))).toBe(3);
    expect(pkcs7PaddingLength(Buffer.alloc(16, 16))).toBe(16);
    expect(pkcs7PaddingLength(Buffer.from('000102030405060708090a0b0c030203', 'hex'))).toBe(0);
    expect(pkcs7PaddingLength(Buffer.alloc(16, 0))).toBe(0);
  });

  it.each([0, 1, 15, 16, 17, 4096, 100_003])('streams %i bytes back exactly, whatever the chunking', async (length) => {
    const plain = randomBytes(length);
    const cipher = encryptBuffer(KEY, plain);
    const { data, error } = await collect(chunked(cipher, [1, 7, 16, 33, 4096]).pipe(new DecryptStream(KEY, length)));
    expect(error).toBeUndefined();
    expect(data.equals(plain)).toBe(true);
  });

  it('removes padding without a recorded size and flags invalid padding as BACKUP_BAD_PADDING', async () => {
    const plain = Buffer.from('Test data');
    expect(decryptBuffer(KEY, encryptBuffer(KEY, plain)).toString()).toBe('Test data');
    expect(() => decryptBuffer(Buffer.alloc(32, 1), encryptBuffer(KEY, plain))).toThrow(
      expect.objectContaining({ code: 'BACKUP_BAD_PADDING' }),
    );
  });

  it('a tampered last block is BACKUP_BAD_PADDING even when the recorded size is known (never silently wrong bytes)', () => {
    const plain = randomBytes(100);
    const cipher = encryptBuffer(KEY, plain);
    expect(decryptBuffer(KEY, cipher, 100).equals(plain)).toBe(true);
    // In CBC, a byte flipped in the second-to-last block flips the same byte of the last plaintext block: the padding.
    const tampered = Buffer.from(cipher);
    tampered[tampered.length - 17]! ^= 0x01;
    expect(() => decryptBuffer(KEY, tampered, 100)).toThrow(expect.objectContaining({ code: 'BACKUP_BAD_PADDING' }));
    // A data file one block longer than its size allows is refused the same way.
    const padded = Buffer.concat([cipher, encryptBuffer(KEY, Buffer.alloc(0))]);
    expect(() => decryptBuffer(KEY, padded, 100)).toThrow(expect.objectContaining({ code: 'BACKUP_BAD_PADDING' }));
  });

  it('truncates to the recorded size when the encoder padded with something other than PKCS#7', () => {
    const cipher = createCipheriv('aes-256-cbc', KEY, Buffer.alloc(16)).setAutoPadding(false);
    const padded = Buffer.concat([Buffer.from('hello'), Buffer.alloc(11, 0)]);
    const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]);
    expect(decryptBuffer(KEY, encrypted, 5).toString()).toBe('hello');
  });

  it('keeps unpadded data whose recorded size ends at the last byte, even when it ends like padding', () => {
    const plain = Buffer.concat([randomBytes(31), Buffer.from([1])]);
    const cipher = createCipheriv('aes-256-cbc', KEY, Buffer.alloc(16)).setAutoPadding(false);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    expect(decryptBuffer(KEY, encrypted, 32).equals(plain)).toBe(true);
  });

  it('passes on every whole block of a truncated file, then fails with BACKUP_TRUNCATED_FILE', async () => {
    const plain = randomBytes(1000);
    const cipher = encryptBuffer(KEY, plain).subarray(0, 520);
    const { data, error } = await collect(Readable.from([cipher]).pipe(new DecryptStream(KEY, 1000)));
    expect(error?.code).toBe('BACKUP_TRUNCATED_FILE');
    expect(data.equals(plain.subarray(0, data.length))).toBe(true);
    expect(data.length).toBeGreaterThanOrEqual(496);
  });

  it('fails with BACKUP_TRUNCATED_FILE when a recorded size exceeds the data (a huge claimed Size allocates nothing)', async () => {
    const plain = randomBytes(64);
    const { data, error } = await collect(
      Readable.from([encryptBuffer(KEY, plain)]).pipe(new DecryptStream(KEY, 2 ** 50)),
    );
    expect(error?.code).toBe('BACKUP_TRUNCATED_FILE');
    expect(data.equals(plain)).toBe(true);
  });
});
