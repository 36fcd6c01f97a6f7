import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { aesKeyUnwrap, aesKeyUnwrapOrNull } from './aes-key-wrap.js';
import { BackupError, BadPasswordError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

/** One class-key record of a keybag (native-notes/protocols/backup-encryption.md "Keybag"). */
export interface KeybagClassKey {
  uuid: Buffer;
  protectionClass: number;
  /** 1 = wrapped by the device UID key (useless off-device), 2 = by the password key, 3 = both. */
  wrap: number;
  /** 0 AES, 1 Curve25519. */
  keyType: number;
  wrappedKey: Buffer;
  publicKey?: Buffer;
}

/**
 * Iteration counts beyond these are refused as corrupt: a crafted keybag with ITER = 2^32-1 would otherwise keep
 * the CPU busy for days. Real backups use ITER 10,000 and DPIC 10,000,000.
 */
export const MAX_ITER = 10_000_000;
export const MAX_DPIC = 100_000_000;

function corrupt(message: string): BackupError {
  return new BackupError('BACKUP_CORRUPT_KEYBAG', `backup keybag: ${message}`);
}

/** The class keys a password unlocks, plus the derived key (kept only in memory unless the user asks). */
export class UnlockedKeybag {
  constructor(
    readonly classKeys: ReadonlyMap<number, Buffer>,
    /** PBKDF2 result (both steps); what `--keep-key-cache` stores. */
    readonly passwordKey: Buffer,
  ) {}

  classKey(protectionClass: number): Buffer {
    const key = this.classKeys.get(protectionClass);
    if (key === undefined) {
      throw new BackupError(
        'BACKUP_MISSING_CLASS_KEY',
        `the keybag does not unlock protection class ${protectionClass}`,
        { details: { protectionClass } },
      );
    }
    return key;
  }

  /**
   * Unwraps a 44-byte `EncryptionKey`/`ManifestKey` (4-byte little-endian class, 40-byte RFC 3394 wrap) into a
   * 32-byte AES key. The record's protection class wins over the prefix when given
   * (native-notes/protocols/backup-encryption.md "File encryption").
   */
  unwrapKey(classPrefixedKey: Buffer, protectionClass?: number): Buffer {
    if (classPrefixedKey.length !== 44) {
      throw new BackupError(
        'BACKUP_KEY_UNWRAP',
        `a class-prefixed wrapped key is 44 bytes, got ${classPrefixedKey.length}`,
      );
    }
    const cls = protectionClass ?? classPrefixedKey.readUInt32LE(0);
    return aesKeyUnwrap(this.classKey(cls), classPrefixedKey.subarray(4), `key of protection class ${cls}`);
  }
}

export class Keybag {
  private constructor(
    readonly version: number | undefined,
    readonly type: number | undefined,
    readonly uuid: Buffer | undefined,
    readonly salt: Buffer,
    readonly iterations: number,
    /** DPSL/DPIC: present from iOS 10.2 on, where the password first goes through PBKDF2-SHA256. */
    readonly dpsl: Buffer | undefined,
    readonly dpic: number | undefined,
    readonly classKeys: readonly KeybagClassKey[],
  ) {}

  /** Parses the TLV stream: 4-byte tag, 4-byte big-endian length, value. Throws BACKUP_CORRUPT_KEYBAG. */
  static parse(bytes: Buffer): Keybag {
    const header = new Map<string, Buffer>();
    const classes: Array<Map<string, Buffer>> = [];
    let current = header;
    let offset = 0;
    while (offset < bytes.length) {
      if (bytes.length - offset < 8) throw corrupt(`truncated tag header at offset ${offset}`);
      const tag = bytes.toString('latin1', offset, offset + 4);
      const length = bytes.readUInt32BE(offset + 4);
      if (length > bytes.length - offset - 8)
        throw corrupt(`tag ${JSON.stringify(tag)} at offset ${offset} claims ${length} bytes past the end`);
      const value = bytes.subarray(offset + 8, offset + 8 + length);
      offset += 8 + length;
      // The second and later UUID tags open a class-key record.
      if (tag === 'UUID' && header.has('UUID')) {
        current = new Map();
        classes.push(current);
      }
      current.set(tag, value);
    }
    const u32 = (map: Map<string, Buffer>, tag: string): number | undefined => {
      const v = map.get(tag);
      if (v === undefined) return undefined;
      if (v.length !== 4) throw corrupt(`${tag} should be a 4-byte integer, is ${v.length} bytes`);
      return v.readUInt32BE(0);
    };
    const salt = header.get('SALT');
    const iterations = u32(header, 'ITER');
    if (salt === undefined || iterations === undefined)
      throw corrupt('no SALT/ITER: not a password-protected backup keybag');
    const dpic = u32(header, 'DPIC');
    const dpsl = header.get('DPSL');
    if ((dpic === undefined) !== (dpsl === undefined)) throw corrupt('DPIC and DPSL must come together');
    if (iterations < 1 || iterations > MAX_ITER) throw corrupt(`ITER ${iterations} is outside 1..${MAX_ITER}`);
    if (dpic !== undefined && (dpic < 1 || dpic > MAX_DPIC)) throw corrupt(`DPIC ${dpic} is outside 1..${MAX_DPIC}`);
    const classKeys = classes.map((record, index): KeybagClassKey => {
      const protectionClass = u32(record, 'CLAS');
      const wrappedKey = record.get('WPKY');
      if (protectionClass === undefined || wrappedKey === undefined)
        throw corrupt(`class record ${index + 1} lacks CLAS or WPKY`);
      return {
        uuid: record.get('UUID')!,
        protectionClass,
        wrap: u32(record, 'WRAP') ?? 0,
        keyType: u32(record, 'KTYP') ?? 0,
        wrappedKey,
        publicKey: record.get('PBKY'),
      };
    });
    if (!classKeys.some((k) => k.wrap & 2)) throw corrupt('no class key is wrapped by the password');
    return new Keybag(
      u32(header, 'VERS'),
      u32(header, 'TYPE'),
      header.get('UUID'),
      salt,
      iterations,
      dpsl,
      dpic,
      classKeys,
    );
  }

  /**
   * Password → key-encryption key (native-notes/protocols/backup-encryption.md "Password to class keys"):
   * PBKDF2-HMAC-SHA256 over DPSL/DPIC when present (iOS 10.2+), then PBKDF2-HMAC-SHA1 over SALT/ITER. Node's async
   * pbkdf2 runs on the libuv pool, so the seconds this takes do not block the event loop.
   */
  async derivePasswordKey(password: string | Buffer): Promise<Buffer> {
    const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
    const first =
      this.dpsl !== undefined && this.dpic !== undefined
        ? await pbkdf2Async(bytes, this.dpsl, this.dpic, 32, 'sha256')
        : bytes;
    return pbkdf2Async(first, this.salt, this.iterations, 32, 'sha1');
  }

  /** One derivation, then the class keys; BadPasswordError when the first password-wrapped key fails to unwrap. */
  async unlock(password: string | Buffer): Promise<UnlockedKeybag> {
    return this.unlockWithKey(await this.derivePasswordKey(password));
  }

  /** Unlocks with an already derived key (from a key cache); throws BadPasswordError when it is not this bag's. */
  unlockWithKey(passwordKey: Buffer): UnlockedKeybag {
    const keys = new Map<number, Buffer>();
    let checked = false;
    for (const record of this.classKeys) {
      if (!(record.wrap & 2)) continue;
      const key = aesKeyUnwrapOrNull(passwordKey, record.wrappedKey);
      if (key === null) {
        // RFC 3394 integrity failure on the first password-wrapped class is the password check.
        if (!checked) throw new BadPasswordError({ protectionClass: record.protectionClass });
        continue;
      }
      checked = true;
      keys.set(record.protectionClass, key);
    }
    return new UnlockedKeybag(keys, passwordKey);
  }
}
