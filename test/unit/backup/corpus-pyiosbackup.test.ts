import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReader, BadPasswordError } from '../../../src/backup/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';

const sample = corpusPath('pyiosbackup-synthetic-encrypted');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Made by another project's tooling (pyiosbackup), iOS 10.3 keybag with DPIC 10,000,000: each open derives once.
describe.skipIf(sample === undefined)('encrypted backup made by pyiosbackup (password 0000)', () => {
  let reader: BackupReader;
  beforeAll(async () => {
    reader = await BackupReader.open(join(sample!, 'backup'), { password: '0000' });
  });
  afterAll(async () => reader?.close());

  it('decrypts Manifest.db byte for byte to the answer key', () => {
    expect(reader.isEncrypted).toBe(true);
    expect(reader.manifestPlist?.productVersion).toBe('10.3');
    expect(
      readFileSync(reader.manifestDbPath!).equals(readFileSync(join(sample!, 'expected-Manifest.decrypted.db'))),
    ).toBe(true);
  });

  it("lists its one file with the answer key's metadata (flags 0 read as a file from its mode)", async () => {
    const entries = [];
    for await (const entry of reader.files()) entries.push(entry);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      fileId: '5727bd1c5fa1055e15d8b4a75a74793c84b5ffdc',
      domain: 'MyTestDomain',
      relativePath: 'Media/Test.txt',
      flags: 0,
      kind: 'file',
      metadata: {
        size: 9,
        mode: 33261,
        userId: 501,
        groupId: 501,
        birth: 1627974948,
        lastModified: 1628082463,
        lastStatusChange: 1628082509,
      },
    });
  });

  it('decrypts the data file to "Test data" (padding removed, cut to Size)', async () => {
    const entry = reader.get('MyTestDomain', 'Media/Test.txt')!;
    expect((await readAll(await reader.openFile(entry))).toString('utf8')).toBe('Test data');
  });

  it('keeps the decrypted Manifest.db in an owner-only temp folder and deletes it at close', async () => {
    const other = await BackupReader.open(join(sample!, 'backup'), { password: () => Promise.resolve('0000') });
    const path = other.manifestDbPath!;
    const { statSync, existsSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    await other.close();
    expect(existsSync(path)).toBe(false);
  });

  it('reports a wrong password as BadPasswordError (BACKUP_BAD_PASSWORD) with a clear message', async () => {
    const failure = await BackupReader.open(join(sample!, 'backup'), { password: '0001' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BadPasswordError);
    expect((failure as BadPasswordError).code).toBe('BACKUP_BAD_PASSWORD');
    expect((failure as Error).message).toMatch(/wrong backup password/);
  });

  it('asks for a password only for encrypted backups: none given → BACKUP_PASSWORD_REQUIRED', async () => {
    await expect(BackupReader.open(join(sample!, 'backup'))).rejects.toMatchObject({
      code: 'BACKUP_PASSWORD_REQUIRED',
    });
  });
});
