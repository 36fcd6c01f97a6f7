import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino, { type Logger } from 'pino';
import {
  BackupReader,
  patternBytes,
  regularFilesUnder,
  writeSyntheticBackup,
  type SyntheticItem,
} from '../../src/backup/index.js';
import type { BackupWriter } from '../../src/backup/writer.js';

export const UDID = '00008030-001A2B3C4D5E802E';

/**
 * The same phone at successive moments: generation n changes the messages database, adds one photo per generation
 * and keeps the rest, as consecutive backups of a real phone differ.
 */
export function generationItems(n: number): SyntheticItem[] {
  // Unchanged files keep their modification time from one generation to the next, as on a phone.
  const day = (d: number): number => Date.UTC(2025, 0, d) / 1000;
  const items: SyntheticItem[] = [
    { domain: 'HomeDomain', relativePath: 'Library', kind: 'directory', mtime: day(1) },
    {
      domain: 'HomeDomain',
      relativePath: 'Library/SMS/sms.db',
      data: patternBytes(`sms-${n}`, 40_000 + n),
      mtime: day(n),
    },
    {
      domain: 'HomeDomain',
      relativePath: 'Library/AddressBook/AddressBook.sqlitedb',
      data: patternBytes('ab', 9_000),
      mtime: day(1),
    },
    // An app's files: the virtual phone lists the app through installation_proxy, so Info.plist names it.
    {
      domain: 'AppDomain-net.whatsapp.WhatsApp',
      relativePath: 'Library/Preferences/net.whatsapp.WhatsApp.plist',
      data: patternBytes('wa', 700),
      mtime: day(1),
    },
  ];
  for (let i = 1; i <= n; i++)
    items.push({
      domain: 'CameraRollDomain',
      relativePath: `Media/DCIM/100APPLE/IMG_000${i}.HEIC`,
      data: patternBytes(`img-${i}`, 20_000 + i),
      mtime: day(i),
    });
  return items;
}

export async function writeGeneration(dir: string, n: number, password?: string): Promise<void> {
  await writeSyntheticBackup(dir, {
    items: generationItems(n),
    date: new Date(Date.UTC(2025, 0, n)),
    password,
    keybag: password ? { iterations: 10, dpic: 10 } : undefined,
  });
}

/** Relative paths of every regular file under `root`. */
export async function* filesUnder(root: string): AsyncGenerator<string> {
  for await (const path of regularFilesUnder(root)) yield relative(root, path);
}

/**
 * Plays the phone's part of a backup against the writer: every file of a generated backup folder is sent under
 * `<UDID>/…` (Status.plist last, as the phone finishes with it), through openForWrite with backpressure.
 */
export async function sendGeneration(writer: BackupWriter, generationDir: string, udid = UDID): Promise<void> {
  const names: string[] = [];
  for await (const rel of filesUnder(generationDir)) if (rel !== 'Status.plist') names.push(rel);
  for (const rel of [...names, 'Status.plist']) {
    await writer.createDirectory(`${udid}/${rel.split('/').slice(0, -1).join('/')}`.replace(/\/$/, ''));
    await pipeline(createReadStream(join(generationDir, rel)), await writer.openForWrite(`${udid}/${rel}`));
  }
}

/** domain/path → SHA-256 of the contents, read back through BackupReader: what a backup holds, as a reader sees it. */
export async function backupContents(dir: string, password?: string): Promise<Map<string, string>> {
  const reader = await BackupReader.open(dir, password === undefined ? {} : { password });
  try {
    const contents = new Map<string, string>();
    for await (const entry of reader.files()) {
      if (entry.kind !== 'file') continue;
      const hash = createHash('sha256');
      for await (const chunk of await reader.openFile(entry)) hash.update(chunk as Buffer);
      contents.set(`${entry.domain}/${entry.relativePath}`, hash.digest('hex'));
    }
    return contents;
  } finally {
    await reader.close();
  }
}

export async function generationContents(n: number): Promise<Map<string, string>> {
  const contents = new Map<string, string>();
  for (const item of generationItems(n)) {
    if (item.kind === 'directory' || !Buffer.isBuffer(item.data)) continue;
    contents.set(`${item.domain}/${item.relativePath}`, createHash('sha256').update(item.data).digest('hex'));
  }
  return contents;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** A logger whose lines the test can read (warnings about refused paths must be logged). */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** Sends one file through the writer and waits until it is installed. */
export async function sendFile(writer: BackupWriter, devicePath: string, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), await writer.openForWrite(devicePath));
}
