import type { BackupFileEntry, BackupReader } from '../backup/index.js';
import type { OutputFolder } from './output-folder.js';

/**
 * Saves one backup file under the output folder: from a plain backup by a kernel copy of its data file, from an
 * encrypted one through the decrypting stream. `mtime` is the date the item had on the phone.
 */
export async function copyEntry(reader: BackupReader, out: OutputFolder, entry: BackupFileEntry, relativePath: string, mtime?: Date): Promise<void> {
  const plain = await reader.plainFilePath(entry);
  if (plain !== undefined) await out.copyFile(relativePath, plain, mtime);
  else await out.writeStream(relativePath, await reader.openFile(entry), mtime);
}
