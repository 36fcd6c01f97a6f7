import { createDecipheriv, type Decipher } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from './errors.js';

const ZERO_IV = Buffer.alloc(16);
const BLOCK = 16;

/** Length of valid PKCS#7 padding at the end of `lastBlock`, or 0 when the padding is not valid. */
export function pkcs7PaddingLength(lastBlock: Buffer): number {
  if (lastBlock.length !== BLOCK) return 0;
  const n = lastBlock[BLOCK - 1]!;
  if (n < 1 || n > BLOCK) return 0;
  for (let i = BLOCK - n; i < BLOCK; i++) if (lastBlock[i] !== n) return 0;
  return n;
}

/**
 * AES-256-CBC decryption of a backup data file or Manifest.db (zero IV, PKCS#7;
 * native-notes/protocols/backup-encryption.md "Manifest.db encryption", "File encryption"),
 * chunk by chunk. The last plaintext block is held back until the end so its padding can be removed; output never
 * goes past `size` (the MBFile Size), which also covers encoders that padded without PKCS#7. `final` returns
 * every readable byte and, separately, what was wrong:
 * - BACKUP_TRUNCATED_FILE: ciphertext not a whole number of blocks, or plaintext shorter than `size`
 * - BACKUP_BAD_PADDING: no size known and the padding is invalid
 */
export class CbcDecryptor {
  private readonly decipher: Decipher;
  private held: Buffer = Buffer.alloc(0);
  private emitted = 0;
  private cipherBytes = 0;

  constructor(
    key: Buffer,
    private readonly size?: number,
  ) {
    if (key.length !== 32) throw new BackupError('BACKUP_KEY_UNWRAP', `an AES-256 key is 32 bytes, got ${key.length}`);
    this.decipher = createDecipheriv('aes-256-cbc', key, ZERO_IV);
    this.decipher.setAutoPadding(false);
  }

  /**
   * Plaintext ready to pass on (possibly empty). With padding off, OpenSSL returns whole blocks only. A caller
   * that knows more ciphertext follows (it knows the file's length) passes `moreFollows` so the chunk goes out
   * whole instead of in two pieces: only the file's last block can hold padding.
   */
  update(chunk: Buffer, moreFollows = false): Buffer[] {
    this.cipherBytes += chunk.length;
    const plain = this.decipher.update(chunk);
    if (plain.length === 0) return [];
    const out: Buffer[] = [];
    if (this.held.length > 0) out.push(this.cut(this.held));
    if (moreFollows) {
      this.held = Buffer.alloc(0);
      out.push(this.cut(plain));
    } else {
      out.push(this.cut(plain.subarray(0, plain.length - BLOCK)));
      this.held = Buffer.from(plain.subarray(plain.length - BLOCK));
    }
    return out.filter((b) => b.length > 0);
  }

  final(): { tail: Buffer; error?: BackupError } {
    const partial = this.cipherBytes % BLOCK;
    let last = this.held;
    if (partial === 0) {
      const rest = this.decipher.final();
      if (rest.length > 0) last = Buffer.concat([last, rest]);
    }
    const padding = pkcs7PaddingLength(last);
    // When the recorded size ends exactly at the last byte, the data was not padded (pyiosbackup's Manifest.db):
    // its final bytes are data even if they happen to look like padding.
    const unpadded = this.size !== undefined && this.emitted + last.length === this.size;
    const tail = this.cut(unpadded ? last : last.subarray(0, last.length - padding));
    if (partial !== 0) {
      return {
        tail,
        error: new BackupError(
          'BACKUP_TRUNCATED_FILE',
          `encrypted data is ${this.cipherBytes} bytes, not a whole number of 16-byte AES blocks`,
          {
            details: { cipherBytes: this.cipherBytes, plainBytes: this.emitted },
          },
        ),
      };
    }
    if (this.size !== undefined && this.emitted < this.size) {
      return {
        tail,
        error: new BackupError(
          'BACKUP_TRUNCATED_FILE',
          `decrypted ${this.emitted} bytes where the manifest records ${this.size}`,
          {
            details: { expected: this.size, got: this.emitted },
          },
        ),
      };
    }
    if (this.size === undefined && padding === 0 && this.cipherBytes > 0) {
      return {
        tail,
        error: new BackupError(
          'BACKUP_BAD_PADDING',
          'decrypted data does not end in valid PKCS#7 padding (wrong key or corrupt data)',
        ),
      };
    }
    // With a known size, the bytes after it must be exactly the padding that size implies: PKCS#7 (what devices
    // write), or zeros up to the block's end (encoders that pad without PKCS#7). A tampered or damaged last block
    // decrypts to random bytes there and is an error, never silently wrong data.
    if (this.size !== undefined && !unpadded && this.cipherBytes > 0) {
      const extra = this.cipherBytes - this.size;
      const zeroPadded =
        extra > 0 && extra < BLOCK && last.length === BLOCK && last.subarray(BLOCK - extra).every((b) => b === 0);
      if (padding !== extra && !zeroPadded) {
        return {
          tail,
          error: new BackupError(
            'BACKUP_BAD_PADDING',
            padding === 0
              ? 'decrypted data does not end in valid padding (tampered or damaged last block, or a wrong key)'
              : `decrypted data is ${this.cipherBytes - padding} bytes where the manifest records ${this.size}`,
            {
              details: { expected: this.size, cipherBytes: this.cipherBytes, padding },
            },
          ),
        };
      }
    }
    return { tail };
  }

  /** Cuts plaintext at `size`: bytes past the recorded size are padding or garbage, never data. */
  private cut(bytes: Buffer): Buffer {
    const room = this.size === undefined ? bytes.length : Math.max(0, this.size - this.emitted);
    const out = bytes.length <= room ? bytes : bytes.subarray(0, room);
    this.emitted += out.length;
    return out;
  }
}

/** CbcDecryptor as a Transform, for `pipeline(readStream, new DecryptStream(key, size), out)`. */
export class DecryptStream extends Transform {
  private readonly decryptor: CbcDecryptor;

  constructor(key: Buffer, size?: number) {
    super();
    this.decryptor = new CbcDecryptor(key, size);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const piece of this.decryptor.update(chunk)) this.push(piece);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const { tail, error } = this.decryptor.final();
    if (tail.length > 0) this.push(tail);
    if (error === undefined) return callback();
    // Erroring destroys the stream and drops whatever is still buffered; a turn of the loop later the last block
    // has reached a flowing consumer (pipe, for-await), so the readable bytes come out before the error does.
    setImmediate(() => callback(error));
  }
}

/** Decrypts a whole small buffer (Manifest keys, tests); big data goes through DecryptStream. */
export function decryptBuffer(key: Buffer, data: Buffer, size?: number): Buffer {
  const decryptor = new CbcDecryptor(key, size);
  const parts = decryptor.update(data);
  const { tail, error } = decryptor.final();
  if (error) throw error;
  return Buffer.concat([...parts, tail]);
}
