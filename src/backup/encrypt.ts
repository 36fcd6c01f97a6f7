import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { aesKeyWrap } from './aes-key-wrap.js';
import type { UnlockedKeybag } from './keybag.js';

const ZERO_IV = Buffer.alloc(16);

/** A fresh per-file key and its 44-byte `EncryptionKey` (4-byte little-endian class + RFC 3394 wrap), §7.4. */
export function newWrappedKey(keybag: UnlockedKeybag, protectionClass: number): { key: Buffer; wrapped: Buffer } {
  const key = randomBytes(32);
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(protectionClass, 0);
  return { key, wrapped: Buffer.concat([prefix, aesKeyWrap(keybag.classKey(protectionClass), key)]) };
}

/** AES-256-CBC, zero IV, PKCS#7 (OpenSSL's own padding is PKCS#7): how devices encrypt files and Manifest.db. */
export class EncryptStream extends Transform {
  private readonly cipher: Cipher;

  constructor(key: Buffer) {
    super();
    this.cipher = createCipheriv('aes-256-cbc', key, ZERO_IV);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.cipher.update(chunk);
    if (out.length > 0) this.push(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.push(this.cipher.final());
    callback();
  }
}

export function encryptBuffer(key: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, ZERO_IV);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
