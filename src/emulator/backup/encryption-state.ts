import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UnlockedKeybag, backupEraOf, buildBackupKeybag, type KeybagOptions } from '../../backup/index.js';
import { isPlistDict, type PlistDict } from '../../plist/index.js';
import { readPlistFile, writePlistFile } from '../state-files.js';
import type { VirtualDevice } from '../virtual-device.js';

const STATE_FILE = 'backup-encryption.plist';
const BACKUP_DOMAIN = 'com.apple.mobile.backup';

/**
 * A phone's backup encryption: whether it encrypts (lockdown `com.apple.mobile.backup` WillEncrypt), and while it
 * does, its backup keybag — class keys wrapped by the password exactly as a device wraps them (both PBKDF2 steps),
 * so backups it makes open in any reader. The unwrapped class keys stay in the phone's owner-only state file, as a
 * real phone keeps them under its hardware key; the password itself is never stored, only a salted SHA-256 to
 * check ChangePassword's OldPassword without a 10-million-round derivation.
 */
export class BackupEncryption {
  private constructor(
    private readonly device: VirtualDevice,
    private state: { keybag: Buffer; classKeys: Map<number, Buffer>; salt: Buffer; check: Buffer } | undefined,
  ) {}

  static async load(device: VirtualDevice): Promise<BackupEncryption> {
    const saved = await readPlistFile(join(device.dir, STATE_FILE));
    if (
      !saved ||
      !Buffer.isBuffer(saved.Keybag) ||
      !isPlistDict(saved.ClassKeys) ||
      !Buffer.isBuffer(saved.Salt) ||
      !Buffer.isBuffer(saved.Check)
    ) {
      return new BackupEncryption(device, undefined);
    }
    const classKeys = new Map<number, Buffer>();
    for (const [cls, key] of Object.entries(saved.ClassKeys)) if (Buffer.isBuffer(key)) classKeys.set(Number(cls), key);
    return new BackupEncryption(device, { keybag: saved.Keybag, classKeys, salt: saved.Salt, check: saved.Check });
  }

  get enabled(): boolean {
    return this.state !== undefined && this.device.getValue(BACKUP_DOMAIN, 'WillEncrypt') === true;
  }

  /** The keybag's TLV bytes (Manifest.plist BackupKeyBag) and its unlocked class keys, while encryption is on. */
  get keybag(): { bytes: Buffer; unlocked: UnlockedKeybag } | undefined {
    if (!this.state || !this.enabled) return undefined;
    return { bytes: this.state.keybag, unlocked: new UnlockedKeybag(this.state.classKeys, Buffer.alloc(0)) };
  }

  passwordMatches(password: string): boolean {
    if (!this.state) return false;
    return timingSafeEqual(digest(this.state.salt, password), this.state.check);
  }

  /** Turns encryption on, or changes the password: a fresh keybag, so earlier backups keep their own keys. */
  async setPassword(password: string, options: KeybagOptions = {}): Promise<void> {
    // Phones before iOS 10.2 derive the key with the SHA-1 round set only: their keybags have no DPSL/DPIC.
    const legacy = !backupEraOf(this.device.productVersion).dataProtectionRounds;
    const built = await buildBackupKeybag(password, legacy ? { ...options, dpic: null } : options);
    const salt = randomBytes(16);
    this.state = {
      keybag: built.bytes,
      classKeys: new Map(built.unlocked.classKeys),
      salt,
      check: digest(salt, password),
    };
    const classKeys: PlistDict = {};
    for (const [cls, key] of this.state.classKeys) classKeys[String(cls)] = key;
    await writePlistFile(join(this.device.dir, STATE_FILE), {
      Keybag: built.bytes,
      ClassKeys: classKeys,
      Salt: salt,
      Check: this.state.check,
    });
    await this.device.setValue(BACKUP_DOMAIN, 'WillEncrypt', true);
  }

  async disable(): Promise<void> {
    this.state = undefined;
    await rm(join(this.device.dir, STATE_FILE), { force: true });
    await this.device.setValue(BACKUP_DOMAIN, 'WillEncrypt', false);
  }
}

function digest(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}
