import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusRoot = resolve(repoRoot, '../shared/corpus');

/** A corpus folder, or undefined (with a note on the console) when the shared corpus is not there, as in a user's
 * clone. */
export function corpusPath(relative: string): string | undefined {
  const path = resolve(corpusRoot, relative);
  if (existsSync(path)) return path;
  console.log(`skipping tests on ${relative}: ${path} is absent (the shared corpus is not part of a clone)`);
  return undefined;
}
