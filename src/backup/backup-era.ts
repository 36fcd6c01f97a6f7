/**
 * What a phone's iOS version decides about its backups (native-notes/protocols/backup-format.md and
 * backup-encryption.md): iOS 4–9 list their files in Manifest.mbdb with the data files flat in `<UDID>/`; iOS 10
 * brought Manifest.db and the `<UDID>/<id[0:2]>/` folders; iOS 10.2 added the PBKDF2-SHA256 round set (DPSL/DPIC) to
 * the keybag. A version that does not parse is taken as current.
 */
export interface BackupEra {
  manifest: 'db' | 'mbdb';
  /** The keybag has DPSL/DPIC (iOS 10.2 and later). */
  dataProtectionRounds: boolean;
}

export function backupEraOf(productVersion: string): BackupEra {
  const match = /^(\d+)(?:\.(\d+))?/.exec(productVersion);
  if (!match) return { manifest: 'db', dataProtectionRounds: true };
  const major = Number(match[1]);
  const minor = Number(match[2] ?? 0);
  return {
    manifest: major <= 9 ? 'mbdb' : 'db',
    dataProtectionRounds: major > 10 || (major === 10 && minor >= 2),
  };
}
