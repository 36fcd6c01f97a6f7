import { constants } from 'node:fs';
import { copyFile, link, mkdir, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logging.js';

export interface LinkTreeResult {
  files: number;
  directories: string[];
  /** 'link' when every file was hard-linked; 'copy' when the filesystem has no hard links and files were copied. */
  method: 'link' | 'copy';
  skipped: number;
}

/** errno codes of filesystems without hard links (FAT/exFAT, some network mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS', 'EXDEV']);

/**
 * Recreates `source`'s tree at `target`: directories anew (0700), regular files as hard links — no data is copied
 * and the previous backup's inodes are shared, never opened for writing. Where hard links are impossible, files
 * are copied (a copy-on-write clone where the filesystem offers one). Anything but files and directories (a
 * symlink someone put in a backup) is skipped: staging holds no symlinks, so no later path can be redirected.
 * Walks one directory at a time through a streaming directory handle: memory does not grow with the file count.
 */
export async function linkTree(source: string, target: string, logger: Logger): Promise<LinkTreeResult> {
  const result: LinkTreeResult = { files: 0, directories: [], method: 'link', skipped: 0 };
  const pending: Array<[string, string]> = [[source, target]];
  while (pending.length > 0) {
    const [from, to] = pending.pop()!;
    await mkdir(to, { mode: 0o700 });
    result.directories.push(to);
    for await (const entry of await opendir(from, { bufferSize: 256 })) {
      const src = join(from, entry.name);
      const dst = join(to, entry.name);
      if (entry.isDirectory()) pending.push([src, dst]);
      else if (entry.isFile()) {
        if (result.method === 'link') {
          try {
            await link(src, dst);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code ?? '';
            if (!NO_HARD_LINKS.has(code)) throw error;
            logger.warn(
              { code },
              'this filesystem has no hard links: copying the previous backup into staging instead',
            );
            result.method = 'copy';
          }
        }
        if (result.method === 'copy') await copyFile(src, dst, constants.COPYFILE_FICLONE);
        result.files += 1;
      } else {
        result.skipped += 1;
        logger.warn({ path: src }, 'skipping an entry of the previous backup that is neither a file nor a folder');
      }
    }
  }
  return result;
}
