import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from './errors.js';
import type { BackupFileEntry } from './file-entry.js';

/** A SHA-1 is 20 bytes; a record with any other digest length carries no digest we know how to check. */
const SHA1_BYTES = 20;

/**
 * Passes a plain mbdb backup's file through unchanged while hashing it, and afterwards says whether the bytes are the
 * ones its Manifest.mbdb record's SHA-1 names (native-notes/protocols/backup-format.md "Manifest.mbdb"). A mismatch
 * is kept in `mismatch`, never raised on the stream: the bytes are all a person has, so they are still written and
 * the mismatch is reported beside them.
 */
export class DigestCheck extends Transform {
  private readonly hash: Hash = createHash('sha1');
  mismatch: BackupError | undefined;

  private constructor(
    private readonly entry: BackupFileEntry,
    private readonly expected: Buffer,
  ) {
    super();
  }

  /**
   * A check for `entry`, or undefined when there is nothing to check: a Manifest.db backup (its MBFile digests are not
   * of the contents), an encrypted backup (what iOS 5–9 hashed there is not documented), a record without a SHA-1.
   */
  static for(
    entry: BackupFileEntry,
    backup: { manifestKind: 'db' | 'mbdb'; isEncrypted: boolean },
  ): DigestCheck | undefined {
    const digest = entry.metadata?.digest;
    if (backup.manifestKind !== 'mbdb' || backup.isEncrypted || digest?.length !== SHA1_BYTES) return undefined;
    return new DigestCheck(entry, digest);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.hash.digest();
    if (!actual.equals(this.expected)) {
      const { domain, relativePath, fileId } = this.entry;
      this.mismatch = new BackupError(
        'BACKUP_DIGEST_MISMATCH',
        `${domain}/${relativePath} does not match the SHA-1 its Manifest.mbdb record gives (${this.expected.toString('hex')}, the data hashes to ${actual.toString('hex')}): written as found`,
        {
          details: {
            domain,
            relativePath,
            fileId,
            expected: this.expected.toString('hex'),
            actual: actual.toString('hex'),
          },
        },
      );
    }
    done();
  }
}
