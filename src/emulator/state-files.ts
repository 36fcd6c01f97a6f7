import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPlistDict, parsePlist, toXmlPlist, type PlistDict } from '../plist/index.js';
import { EmulatorError } from './errors.js';

/**
 * The emulator's files hold pairing secrets (escrow bags, the device's private key): owner-only permissions,
 * written atomically (temp file + rename) so a crash never leaves half a file that a restart cannot read.
 */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
}

export async function writePrivateFile(path: string, data: Buffer | string): Promise<void> {
  await ensurePrivateDir(dirname(path));
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function writePlistFile(path: string, value: PlistDict): Promise<void> {
  await writePrivateFile(path, toXmlPlist(value));
}

/** The dict in a plist file, or undefined when there is no such file. */
export async function readPlistFile(path: string): Promise<PlistDict | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value;
  try {
    value = parsePlist(data);
  } catch (error) {
    throw new EmulatorError('EMULATOR_BAD_STATE', `${path} is not a readable plist`, { cause: error });
  }
  if (!isPlistDict(value)) throw new EmulatorError('EMULATOR_BAD_STATE', `${path} does not hold a dict`);
  return value;
}

export async function readTextFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
