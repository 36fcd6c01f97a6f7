import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Errors of the backup layer. Callers branch on `code`:
 * - BACKUP_NOT_FOUND: the folder is not a backup (no Manifest.db/Manifest.mbdb/Info.plist)
 * - BACKUP_CORRUPT_MANIFEST: Manifest.db / Manifest.mbdb cannot be read (not SQLite, missing table, truncated record)
 * - BACKUP_CORRUPT_PLIST: Info/Status/Manifest.plist unreadable or of the wrong shape
 * - BACKUP_CORRUPT_METADATA: one row's MBFile archive cannot be decoded
 * - BACKUP_CORRUPT_KEYBAG: the keybag TLV is malformed or lacks what decryption needs
 * - BACKUP_BAD_PASSWORD: the password does not unwrap the class keys (BadPasswordError)
 * - BACKUP_PASSWORD_REQUIRED: the backup is encrypted and no password was given
 * - BACKUP_KEY_UNWRAP: a wrapped key (ManifestKey, per-file key) fails its RFC 3394 integrity check
 * - BACKUP_MISSING_CLASS_KEY: a file needs a protection class the keybag does not unlock
 * - BACKUP_PATH_ESCAPE: a path from a backup would leave the folder it is joined to
 * - BACKUP_FILE_NOT_FOUND: no manifest row for that domain and path
 * - BACKUP_MISSING_DATA: the manifest lists a file whose data file is absent
 * - BACKUP_NOT_A_FILE: a directory or symlink was asked for as file data
 * - BACKUP_FILE_TOO_LARGE: readSmallFile was asked for a file over SMALL_FILE_BYTES (stream it with openFile)
 * - BACKUP_TRUNCATED_FILE: a data file is shorter than its recorded Size, or not a whole number of AES blocks
 * - BACKUP_BAD_PADDING: decrypted data ends in invalid PKCS#7 padding and is shorter than its recorded Size
 * - BACKUP_BUSY: another live process is making a backup of the same phone into the same folder (writer lock)
 * - BACKUP_INCOMPLETE: commit refused, the phone did not finish (Status.plist not "finished", manifest missing)
 * - BACKUP_FILES_OPEN: commit called while files from the phone were still being written
 * - BACKUP_WRITER_CLOSED: a writer used after its commit or abort
 * - BACKUP_NOT_A_REGULAR_FILE: a link, FIFO, folder or device where the backup should hold a file (not read)
 * - BACKUP_DATA_TOO_LARGE: a data file larger than its manifest entry allows (not read)
 * - BACKUP_DATA_LARGER_THAN_MANIFEST: a pulled plain backup whose data file is larger than its manifest's Size
 * - BACKUP_IO: a file of the backup that the OS will not let us read or inspect
 * - BACKUP_NO_SPACE: the disk filled up while writing (the previous backup is kept)
 * - BACKUP_OUTPUT_UNUSABLE: an output path the file system refuses (name too long, a file where a folder must be)
 * - BACKUP_OUTPUT_EXISTS: the output (a file, or a folder that is not empty) exists; nothing is overwritten
 * - BACKUP_DIGEST_MISMATCH: a plain Manifest.mbdb backup's data file does not hash to its record's SHA-1 (the bytes
 *   are still given: a warning about them, never a refusal)
 *
 * Damaged or refused input is `bad-input`, as is the missing password (the backup needs one); BACKUP_BUSY and
 * BACKUP_INCOMPLETE are `internal`: neither the input nor the person's command is wrong. BACKUP_FILES_OPEN and
 * BACKUP_WRITER_CLOSED (a writer misused: a bug) and the two *_NOT_FOUND codes keep the `bad-input` exit status (6)
 * that the prefix rule of the old exit-code table gave every BACKUP_ code.
 */
export const BACKUP_ERROR_CATEGORIES = {
  BACKUP_NOT_FOUND: 'bad-input',
  BACKUP_CORRUPT_MANIFEST: 'bad-input',
  BACKUP_CORRUPT_PLIST: 'bad-input',
  BACKUP_CORRUPT_METADATA: 'bad-input',
  BACKUP_CORRUPT_KEYBAG: 'bad-input',
  BACKUP_BAD_PASSWORD: 'wrong-password',
  BACKUP_PASSWORD_REQUIRED: 'bad-input',
  BACKUP_KEY_UNWRAP: 'bad-input',
  BACKUP_MISSING_CLASS_KEY: 'bad-input',
  BACKUP_PATH_ESCAPE: 'bad-input',
  BACKUP_FILE_NOT_FOUND: 'bad-input',
  BACKUP_MISSING_DATA: 'bad-input',
  BACKUP_NOT_A_FILE: 'bad-input',
  BACKUP_FILE_TOO_LARGE: 'bad-input',
  BACKUP_TRUNCATED_FILE: 'bad-input',
  BACKUP_BAD_PADDING: 'bad-input',
  BACKUP_BUSY: 'internal',
  BACKUP_INCOMPLETE: 'internal',
  BACKUP_FILES_OPEN: 'bad-input',
  BACKUP_WRITER_CLOSED: 'bad-input',
  BACKUP_NOT_A_REGULAR_FILE: 'bad-input',
  BACKUP_DATA_TOO_LARGE: 'bad-input',
  BACKUP_DATA_LARGER_THAN_MANIFEST: 'bad-input',
  BACKUP_IO: 'bad-input',
  BACKUP_NO_SPACE: 'no-space',
  BACKUP_OUTPUT_UNUSABLE: 'bad-input',
  BACKUP_OUTPUT_EXISTS: 'bad-input',
  BACKUP_DIGEST_MISMATCH: 'bad-input',
} as const satisfies CategoryTable<string>;

export type BackupErrorCode = keyof typeof BACKUP_ERROR_CATEGORIES;

export class BackupError extends IosRescueError {
  declare readonly code: BackupErrorCode;

  constructor(code: BackupErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(BACKUP_ERROR_CATEGORIES[code], options));
  }
}

export class BadPasswordError extends BackupError {
  constructor(details: Record<string, unknown> = {}) {
    super(
      'BACKUP_BAD_PASSWORD',
      "wrong backup password: it does not unlock this backup's keybag (this is the password chosen when backup encryption was turned on, not the phone's passcode)",
      { details },
    );
  }
}

export class PathEscapeError extends BackupError {
  constructor(path: string, reason: string) {
    super('BACKUP_PATH_ESCAPE', `refusing path ${JSON.stringify(path)}: ${reason}`, { details: { path, reason } });
  }
}
