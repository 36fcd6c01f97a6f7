import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BackupReader } from '../../../backup/index.js';
import { BrowseIndex, openBackupReader } from '../../../operations/browse/index.js';
import { listBackups } from '../../../operations/index.js';
import type { DaemonEngine } from '../../engine-types.js';
import { ConsoleError } from './errors.js';
import type { ConsoleSession } from './sessions.js';

/** Backups whose records stay in memory (the most recently browsed); others are read again from their index. */
const MAX_INDEXES_IN_MEMORY = 3;

export interface ConsoleBackup {
  id: string;
  path: string;
  udid: string | null;
  deviceName: string | null;
  date: string | null;
  bytes: number;
  encrypted: boolean;
}

/** A stable id for a backup folder: the same folder always has the same id, and the id says nothing of the path. */
export function backupIdOf(path: string): string {
  return createHash('sha256').update(resolve(path)).digest('hex').slice(0, 16);
}

/**
 * The backups the console shows (the daemon's, and folders a person added, kept in `<state>/console/added.json`),
 * their browse indexes (`<state>/console/index/<id>/`, built once) and their open readers. An encrypted backup's
 * reader is opened with the password when a session unlocks it; only its keys stay in memory, never the password,
 * and a session that did not unlock it cannot browse it.
 */
export class ConsoleBackups {
  private readonly readers = new Map<string, Promise<BackupReader>>();
  private readonly known = new Map<string, ConsoleBackup>();
  private readonly building = new Set<string>();
  private readonly indexes = new Map<string, Promise<BrowseIndex>>();
  constructor(private readonly engine: DaemonEngine) {}

  /** `<state>/console` (read when needed: building the OpenAPI document makes the routes with no engine behind). */
  private get folder(): string {
    return join(this.engine.stateDir, 'console');
  }

  async list(): Promise<ConsoleBackup[]> {
    const fromEngine = (await this.engine.backups()).map(
      (b): ConsoleBackup => ({
        id: backupIdOf(b.path),
        path: b.path,
        udid: b.udid ?? null,
        deviceName: b.deviceName ?? null,
        date: b.date ?? null,
        bytes: b.sizeBytes,
        encrypted: b.encrypted,
      }),
    );
    const seen = new Set(fromEngine.map((b) => b.id));
    const added = await this.added();
    const found = added.length === 0 ? [] : await listBackups({ dirs: added, includeDefaults: false });
    for (const b of found) {
      const id = backupIdOf(b.path);
      if (seen.has(id)) continue;
      seen.add(id);
      fromEngine.push({
        id,
        path: b.path,
        udid: b.udid ?? null,
        deviceName: b.deviceName ?? null,
        date: b.date?.toISOString() ?? null,
        bytes: b.sizeBytes,
        encrypted: b.encrypted,
      });
    }
    for (const b of fromEngine) {
      // A backup whose date changed (backed up again) keeps its id; its index stamp changes (indexFolder).
      const before = this.known.get(b.id);
      if (before && (before.date !== b.date || before.bytes !== b.bytes)) this.forgetIndex(b.id);
      this.known.set(b.id, b);
    }
    return fromEngine;
  }

  /** The backup changed on disk: its index and its reader (of the old manifest) go; an encrypted one is unlocked again. */
  private forgetIndex(id: string): void {
    this.indexes.delete(id);
    const reader = this.readers.get(id);
    this.readers.delete(id);
    void reader?.then((r) => r.close()).catch(() => undefined);
  }

  /** Adds a folder that is a backup (or holds backups); answers the backups it holds. */
  async add(path: string): Promise<ConsoleBackup[]> {
    const found = await listBackups({ dirs: [resolve(path)], includeDefaults: false });
    if (found.length === 0) throw new ConsoleError('CONSOLE_NOT_A_BACKUP', `${path} holds no iPhone backup`);
    const added = await this.added();
    if (!added.includes(resolve(path))) {
      added.push(resolve(path));
      await mkdir(this.folder, { recursive: true, mode: 0o700 });
      await writeFile(join(this.folder, 'added.json'), JSON.stringify(added), { mode: 0o600 });
    }
    const ids = new Set(found.map((b) => backupIdOf(b.path)));
    return (await this.list()).filter((b) => ids.has(b.id));
  }

  /**
   * A backup by id: from the last list when it is there (listing sizes every backup's folder, far too slow for each
   * thumbnail), else from a new list.
   */
  async get(id: string): Promise<ConsoleBackup> {
    const backup = this.known.get(id) ?? (await this.list()).find((b) => b.id === id);
    if (!backup) throw new ConsoleError('CONSOLE_UNKNOWN_BACKUP', `no backup ${id}`, { details: { id } });
    return backup;
  }

  isUnlocked(backup: ConsoleBackup, session: ConsoleSession): boolean {
    return !backup.encrypted || session.unlocked.has(backup.id);
  }

  /** Opens an encrypted backup with `password` for this session; BACKUP_WRONG_PASSWORD when it does not. */
  async unlock(session: ConsoleSession, id: string, password: string): Promise<void> {
    const backup = await this.get(id);
    if (!backup.encrypted) return;
    let reader: BackupReader;
    try {
      reader = await openBackupReader(backup.path, password);
    } catch (error) {
      if ((error as { code?: string }).code === 'BACKUP_BAD_PASSWORD')
        throw new ConsoleError('BACKUP_WRONG_PASSWORD', 'that password does not open this backup');
      throw error;
    }
    const previous = this.readers.get(id);
    if (previous) await reader.close();
    else this.readers.set(id, Promise.resolve(reader));
    session.unlocked.add(id);
  }

  /** The backup's reader and browse index (built on first use), for a session allowed to read it. */
  async open(
    session: ConsoleSession,
    id: string,
  ): Promise<{ backup: ConsoleBackup; reader: BackupReader; index: BrowseIndex }> {
    const backup = await this.get(id);
    if (!this.isUnlocked(backup, session)) {
      throw new ConsoleError('CONSOLE_BACKUP_LOCKED', 'this backup is encrypted: unlock it with its password first');
    }
    let reader = this.readers.get(id);
    if (!reader && backup.encrypted) {
      throw new ConsoleError('CONSOLE_BACKUP_LOCKED', 'this backup changed since it was unlocked: unlock it again');
    }
    if (!reader) {
      reader = openBackupReader(backup.path);
      this.readers.set(id, reader);
      reader.catch(() => this.readers.delete(id));
    }
    const opened = await reader;
    let index = this.indexes.get(id);
    if (!index) {
      index = this.buildIndex(backup, opened);
      this.indexes.set(id, index);
      this.building.add(id);
      index.then(
        () => this.building.delete(id),
        () => {
          this.building.delete(id);
          this.indexes.delete(id);
        },
      );
    } else {
      // Most recently used last: the records of at most MAX_INDEXES_IN_MEMORY backups stay in memory.
      this.indexes.delete(id);
      this.indexes.set(id, index);
    }
    for (const oldest of this.indexes.keys()) {
      if (this.indexes.size <= MAX_INDEXES_IN_MEMORY) break;
      // One being built stays: a second build would run into the same folder.
      if (!this.building.has(oldest)) this.indexes.delete(oldest);
    }
    return { backup, reader: opened, index: await index };
  }

  /** Counts per type when the backup's index exists and this session may see it; null otherwise (not yet scanned). */
  async counts(
    backup: ConsoleBackup,
    session: ConsoleSession,
  ): Promise<Record<string, { records: number; deleted: number; recovered: number }> | null> {
    if (!this.isUnlocked(backup, session)) return null;
    const types = await BrowseIndex.savedTypes(this.indexFolder(backup));
    if (!types) return null;
    return Object.fromEntries(
      types.map((t) => [t.type, { records: t.records, deleted: t.deleted, recovered: t.recovered }]),
    );
  }

  /**
   * `<state>/console/index/<id>/<stamp>`: the stamp changes when the backup does (a newer backup into the same folder),
   * so a stale index is never shown; building a new one removes the backup's older ones.
   */
  indexFolder(backup: ConsoleBackup): string {
    const stamp = createHash('sha256')
      .update(`${backup.date ?? ''}|${backup.bytes}`)
      .digest('hex')
      .slice(0, 12);
    return join(this.folder, 'index', backup.id, stamp);
  }

  private async buildIndex(backup: ConsoleBackup, reader: BackupReader): Promise<BrowseIndex> {
    const folder = this.indexFolder(backup);
    const parent = dirname(folder);
    await mkdir(parent, { recursive: true, mode: 0o700 });
    for (const old of await readdir(parent)) {
      if (old !== basename(folder)) await rm(join(parent, old), { recursive: true, force: true });
    }
    return BrowseIndex.open(folder, reader);
  }

  async close(): Promise<void> {
    for (const reader of this.readers.values()) await (await reader.catch(() => undefined))?.close();
    this.readers.clear();
  }

  private async added(): Promise<string[]> {
    try {
      return JSON.parse(await readFile(join(this.folder, 'added.json'), 'utf8')) as string[];
    } catch {
      return [];
    }
  }
}
