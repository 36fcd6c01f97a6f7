/** The on-disk backup format, no sockets: reading, decrypting and (for tests and the emulator) writing backups. */
export { BackupError, BadPasswordError, PathEscapeError, type BackupErrorCode } from './errors.js';
export {
  fileIdFor,
  assertFileId,
  dataFileRelativePath,
  unsafePathReason,
  safeJoin,
  type DataFileLayout,
} from './layout.js';
export {
  MANIFEST_FLAGS,
  entryKind,
  globToRegExp,
  makeMatcher,
  type BackupFileEntry,
  type EntryKind,
  type FileFilter,
} from './file-entry.js';
export { decodeMbFile, encodeMbFile, type MbFile } from './mb-file.js';
export { ManifestDb, MANIFEST_DB_SCHEMA } from './manifest-db.js';
export { ManifestMbdb, parseMbdb, encodeMbdb, encodeMbdbRecord, MBDB_HEADER } from './manifest-mbdb.js';
export { readInfoPlist, parseInfoPlist, buildInfoPlist, type InfoPlist } from './info-plist.js';
export { readStatusPlist, parseStatusPlist, buildStatusPlist, type StatusPlist } from './status-plist.js';
export { readManifestPlist, parseManifestPlist, buildManifestPlist, type ManifestPlist } from './manifest-plist.js';
export { Keybag, UnlockedKeybag, MAX_DPIC, MAX_ITER, type KeybagClassKey } from './keybag.js';
export { buildBackupKeybag, type KeybagOptions } from './keybag-builder.js';
export { aesKeyWrap, aesKeyUnwrap, aesKeyUnwrapOrNull } from './aes-key-wrap.js';
export { CbcDecryptor, DecryptStream, decryptBuffer, pkcs7PaddingLength } from './decrypt.js';
export { EncryptStream, encryptBuffer, newWrappedKey } from './encrypt.js';
export { FileKeyCache, defaultKeyCacheDir, keybagId, type KeyCache } from './key-cache.js';
export { BackupReader, SMALL_FILE_BYTES, type OpenBackupOptions, type PasswordSource } from './backup-reader.js';
export {
  discoverBackups,
  summarizeBackup,
  defaultBackupRoots,
  ownBackupRoot,
  folderSize,
  type BackupSummary,
} from './discover.js';
export {
  writeSyntheticBackup,
  DEFAULT_DEVICE,
  type SyntheticBackupSpec,
  type SyntheticItem,
  type SyntheticDevice,
} from './synthetic-backup.js';
export { patternBytes, patternStream, sampleItems } from './synthetic-content.js';
export { decryptFile } from './decrypt-file.js';
export { BackupWriter, type BackupWriterOptions, type PreviousBackup, type WriterDirectoryEntry } from './writer.js';
export { freeDiskSpace, regularFilesUnder } from './fs-durability.js';
export { WORK_FOLDER, type CommitStep } from './staging.js';
export { backupEraOf, type BackupEra } from './backup-era.js';
export { DigestCheck } from './mbdb-digest.js';
