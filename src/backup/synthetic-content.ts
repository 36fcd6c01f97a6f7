import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { SyntheticItem } from './synthetic-backup.js';

/** Deterministic pseudo-random bytes (a SHA-256 chain), so generated backups are the same on every run. */
export function patternBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A stream of `size` pattern bytes in 1 MiB chunks, for big generated files that must not sit in memory. */
export function patternStream(seed: string, size: number): Readable {
  const chunk = patternBytes(seed, Math.min(size, 1024 * 1024));
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

/**
 * A small, realistic mix of what a phone backs up: the message, contact and WhatsApp databases in their real
 * domains and paths, a camera-roll photo, folders, a symlink, an empty file, a keychain-class file.
 */
export function sampleItems(): SyntheticItem[] {
  return [
    { domain: 'HomeDomain', relativePath: 'Library', kind: 'directory' },
    { domain: 'HomeDomain', relativePath: 'Library/SMS', kind: 'directory' },
    {
      domain: 'HomeDomain',
      relativePath: 'Library/SMS/sms.db',
      data: patternBytes('sms', 278_528),
      protectionClass: 4,
    },
    {
      domain: 'HomeDomain',
      relativePath: 'Library/AddressBook/AddressBook.sqlitedb',
      data: patternBytes('ab', 65_536 + 7),
    },
    { domain: 'HomeDomain', relativePath: 'Library/Preferences/empty.plist', data: Buffer.alloc(0) },
    {
      domain: 'CameraRollDomain',
      relativePath: 'Media/DCIM/100APPLE/IMG_0001.HEIC',
      data: patternBytes('img', 1_048_576 + 3),
      protectionClass: 3,
    },
    {
      domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared',
      relativePath: 'ChatStorage.sqlite',
      data: patternBytes('wa', 12_345),
      protectionClass: 2,
    },
    {
      domain: 'KeychainDomain',
      relativePath: 'keychain-backup.plist',
      data: patternBytes('kc', 4096),
      protectionClass: 11,
    },
    {
      domain: 'DatabaseDomain',
      relativePath: 'timezone/localtime',
      kind: 'symlink',
      target: '/var/db/timezone/zoneinfo/Europe/London',
    },
  ];
}
