import { createWriteStream } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeJoin } from '../backup/index.js';

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const MAX_NAME_BYTES = 180;

/**
 * A file or folder name that is safe on Linux, macOS and Windows: no separators, control characters or
 * characters Windows forbids, no leading dots (hidden files, `..`), no trailing dots or spaces, no reserved device
 * names, at most 180 UTF-8 bytes (room for a " (2)" suffix under the usual 255-byte limit), never empty.
 */
export function sanitizeFileName(name: string, fallback = 'unnamed'): string {
  let clean = name.normalize('NFC').replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (RESERVED_WINDOWS.test(clean)) clean = `_${clean}`;
  while (Buffer.byteLength(clean, 'utf8') > MAX_NAME_BYTES) clean = [...clean].slice(0, -1).join('');
  return clean === '' ? fallback : clean;
}

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 10 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/**
 * The --out folder. Every path is built from sanitised names and joined with `safeJoin`, so nothing a backup
 * contains (a contact called "../../etc", a symlink planted in the folder) can write outside it. Names are made
 * unique per folder, case-insensitively (macOS and Windows folders are): "image.jpg", "image (2).jpg", ...
 */
export class OutputFolder {
  private readonly taken = new Map<string, Set<string>>();

  constructor(readonly root: string) {}

  /** A fresh relative path `folder/name` (name sanitised, suffixed when already used in that folder). */
  uniquePath(folder: string, name: string): string {
    const used = this.taken.get(folder) ?? new Set<string>();
    this.taken.set(folder, used);
    const [stem, extension] = splitExtension(sanitizeFileName(name));
    let candidate = `${stem}${extension}`;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    used.add(candidate.toLowerCase());
    return folder === '' ? candidate : `${folder}/${candidate}`;
  }

  async absolute(relativePath: string): Promise<string> {
    const path = await safeJoin(this.root, relativePath);
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  async writeFile(relativePath: string, data: string | Buffer): Promise<string> {
    const path = await this.absolute(relativePath);
    await writeFile(path, data, { flag: 'w' });
    return path;
  }

  async writeStream(relativePath: string, source: Readable, mtime?: Date): Promise<string> {
    const path = await this.absolute(relativePath);
    await pipeline(source, createWriteStream(path));
    if (mtime) await utimes(path, mtime, mtime);
    return path;
  }

  relativeTo(from: string, to: string): string {
    return relative(dirname(from), to).split('\\').join('/');
  }
}
