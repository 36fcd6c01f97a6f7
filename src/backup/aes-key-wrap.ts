import { createCipheriv, createDecipheriv } from 'node:crypto';
import { BackupError } from './errors.js';

/** RFC 3394 §2.2.3.1 default initial value; an unwrap that does not reproduce it means the wrong key. */
const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/**
 * RFC 3394 AES key wrap with a 256-bit KEK, through OpenSSL 3's `id-aes256-wrap` (checked against the RFC's
 * §4.6 vector in test/unit/backup/aes-key-wrap.test.ts). About 10 µs per unwrap here.
 */
export function aesKeyWrap(kek: Buffer, key: Buffer): Buffer {
  if (kek.length !== 32)
    throw new BackupError('BACKUP_KEY_UNWRAP', `key-encryption key must be 32 bytes, got ${kek.length}`);
  if (key.length < 16 || key.length % 8 !== 0)
    throw new BackupError(
      'BACKUP_KEY_UNWRAP',
      `a wrapped key must be a multiple of 8 bytes, at least 16; got ${key.length}`,
    );
  const cipher = createCipheriv('id-aes256-wrap', kek, DEFAULT_IV);
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

/**
 * Unwraps, or returns null when the integrity check fails (wrong KEK or altered bytes): callers decide whether
 * that is a wrong password or a corrupt key. Malformed lengths throw BACKUP_KEY_UNWRAP.
 */
export function aesKeyUnwrapOrNull(kek: Buffer, wrapped: Buffer): Buffer | null {
  if (kek.length !== 32)
    throw new BackupError('BACKUP_KEY_UNWRAP', `key-encryption key must be 32 bytes, got ${kek.length}`);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    throw new BackupError(
      'BACKUP_KEY_UNWRAP',
      `a wrapped key must be a multiple of 8 bytes, at least 24; got ${wrapped.length}`,
    );
  }
  const decipher = createDecipheriv('id-aes256-wrap', kek, DEFAULT_IV);
  try {
    // OpenSSL reports the integrity failure from update() ("unsupported state"), not from final().
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return null;
  }
}

export function aesKeyUnwrap(kek: Buffer, wrapped: Buffer, what = 'key'): Buffer {
  const key = aesKeyUnwrapOrNull(kek, wrapped);
  if (key === null)
    throw new BackupError('BACKUP_KEY_UNWRAP', `${what} does not unwrap (RFC 3394 integrity check failed)`);
  return key;
}
