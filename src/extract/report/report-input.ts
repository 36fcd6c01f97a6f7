import { readdir, readFile, stat } from 'node:fs/promises';
import { safeJoin } from '../../backup/index.js';
import { readJsonArray } from './json-stream.js';

/**
 * Read access to an output folder for the report. Every path goes through `safeJoin`, as the extractors' writes
 * do: a symlink planted in the folder (a `photos` link to elsewhere) is refused rather than followed into the page.
 */
export class ReportInput {
  constructor(readonly root: string) {}

  async exists(relativePath: string): Promise<boolean> {
    try {
      return (await stat(await safeJoin(this.root, relativePath))).isFile();
    } catch {
      return false;
    }
  }

  async readJson<T>(relativePath: string): Promise<T> {
    return JSON.parse(await readFile(await safeJoin(this.root, relativePath), 'utf8')) as T;
  }

  /** The elements of a JSON array file (or of the array under `key` in its top-level object), one at a time. */
  async *records<T>(relativePath: string, key?: string): AsyncGenerator<T> {
    for await (const item of readJsonArray(await safeJoin(this.root, relativePath), key)) yield item as T;
  }

  /** The page a folder holds (its first .html file, e.g. a conversation's conversation.html); null when none. */
  async pageIn(folder: string): Promise<string | null> {
    return (await this.files(folder)).find((f) => f.toLowerCase().endsWith('.html')) ?? null;
  }

  /** The files directly in a folder (relative paths, sorted); empty when the folder does not exist. */
  async files(folder: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(await safeJoin(this.root, folder), { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => `${folder}/${e.name}`)
      .sort();
  }
}
