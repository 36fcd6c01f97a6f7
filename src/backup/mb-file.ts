import { decodeKeyedArchive, parsePlist, toBinaryPlist, Uid, type PlistDict, type PlistValue } from '../plist/index.js';
import { BackupError } from './errors.js';

/**
 * The metadata of one backed-up item: the `file` column of Manifest.db, an NSKeyedArchiver archive whose root is
 * an `MBFile` (native-notes/protocols/backup-format.md "Manifest.db"), or one Manifest.mbdb record. Times are Unix
 * seconds as the device wrote them.
 */
export interface MbFile {
  size: number;
  mode: number;
  userId?: number;
  groupId?: number;
  inode?: number;
  lastModified?: number;
  lastStatusChange?: number;
  birth?: number;
  /** Data-protection class 1..11; for archives without one (some tools omit it) taken from the key's class prefix. */
  protectionClass?: number;
  /** 4-byte little-endian class + 40-byte RFC 3394 wrapped file key; encrypted backups, regular files only. */
  encryptionKey?: Buffer;
  /** Symlink target. */
  target?: string;
  /** SHA-1 of the contents (older backups). */
  digest?: Buffer;
  relativePath?: string;
  extendedAttributes?: Buffer;
}

/** Reads `key` from a decoded archive object as a number, however the integer decoded. */
function num(object: Record<string, unknown>, key: string): number | undefined {
  const value = object[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** NSData / NSMutableData decode either to a Buffer or to an object holding `NS.data`, depending on the decoder. */
function data(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (value !== null && typeof value === 'object' && 'NS.data' in value)
    return data((value as Record<string, unknown>)['NS.data']);
  return undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Record<string, unknown>)['NS.string'] === 'string'
  ) {
    return (value as Record<string, string>)['NS.string'];
  }
  return undefined;
}

/**
 * Decodes an MBFile archive generically (UIDs resolved by the plist layer's NSKeyedArchiver decoder, never by
 * fixed object offsets, which differ between iOS versions and tools). Throws BACKUP_CORRUPT_METADATA.
 */
export function decodeMbFile(blob: Buffer): MbFile {
  let root: unknown;
  try {
    root = decodeKeyedArchive(parsePlist(blob));
  } catch (error) {
    throw new BackupError(
      'BACKUP_CORRUPT_METADATA',
      `file metadata is not a readable NSKeyedArchiver archive: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new BackupError('BACKUP_CORRUPT_METADATA', 'file metadata archive has no MBFile object at its root');
  }
  const object = root as Record<string, unknown>;
  const size = num(object, 'Size') ?? 0;
  const mode = num(object, 'Mode');
  if (mode === undefined || size < 0) {
    throw new BackupError('BACKUP_CORRUPT_METADATA', 'MBFile lacks Mode or has a negative Size');
  }
  const encryptionKey = data(object.EncryptionKey);
  let protectionClass = num(object, 'ProtectionClass');
  if (protectionClass === undefined && encryptionKey !== undefined && encryptionKey.length >= 4) {
    protectionClass = encryptionKey.readUInt32LE(0);
  }
  return {
    size,
    mode,
    userId: num(object, 'UserID'),
    groupId: num(object, 'GroupID'),
    inode: num(object, 'InodeNumber'),
    lastModified: num(object, 'LastModified'),
    lastStatusChange: num(object, 'LastStatusChange'),
    birth: num(object, 'Birth'),
    protectionClass,
    encryptionKey,
    target: str(object.Target),
    digest: data(object.Digest),
    relativePath: str(object.RelativePath),
    extendedAttributes: data(object.ExtendedAttributes),
  };
}

/**
 * Encodes an MBFile the way a device does: `$objects[1]` is the MBFile dict, its strings and data are separate
 * objects referenced by UID, `EncryptionKey` is an NSMutableData object, and class descriptions come last.
 */
export function encodeMbFile(file: MbFile & { relativePath: string }): Buffer {
  const objects: PlistValue[] = ['$null'];
  const add = (value: PlistValue): Uid => {
    objects.push(value);
    return new Uid(objects.length - 1);
  };
  const mbFile: PlistDict = {};
  objects.push(mbFile);
  const put = (key: string, value: number | undefined): void => {
    if (value !== undefined) mbFile[key] = value;
  };
  put('LastModified', file.lastModified);
  put('Flags', 0);
  put('GroupID', file.groupId);
  put('LastStatusChange', file.lastStatusChange);
  mbFile.RelativePath = add(file.relativePath);
  put('Birth', file.birth);
  if (file.target !== undefined) mbFile.Target = add(file.target);
  if (file.digest !== undefined) mbFile.Digest = add(file.digest);
  let dataClass: Uid | undefined;
  if (file.encryptionKey !== undefined) {
    const keyObject: PlistDict = { 'NS.data': file.encryptionKey };
    mbFile.EncryptionKey = add(keyObject);
    dataClass = add({ $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] });
    keyObject.$class = dataClass;
  }
  put('Size', file.size);
  put('Mode', file.mode);
  put('UserID', file.userId);
  put('InodeNumber', file.inode);
  put('ProtectionClass', file.protectionClass);
  mbFile.$class = add({ $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] });
  return toBinaryPlist({
    $version: 100000,
    $archiver: 'NSKeyedArchiver',
    $top: { root: new Uid(1) },
    $objects: objects,
  });
}
