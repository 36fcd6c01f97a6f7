import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import {
  DecryptStream,
  MANIFEST_DB_SCHEMA,
  ManifestMbdb,
  backupEraOf,
  encodeMbFile,
  EncryptStream,
  buildManifestPlist,
  buildStatusPlist,
  newWrappedKey,
  readManifestPlist,
  readStatusPlist,
  type UnlockedKeybag,
} from '../../backup/index.js';
import { Real, isPlistDict, plistNumber, type PlistDict } from '../../plist/index.js';
import { SyncNotification } from '../../services/notification-proxy/protocol.js';
import type { ServiceContext } from '../service-ports.js';
import type { BackupAgentConfig } from './agent-config.js';
import type { DeviceSideLink } from './device-side-link.js';
import { BackupEncryption } from './encryption-state.js';
import { buildManifest, storedSize, type BuiltManifest } from './manifest-builder.js';
import type { PhoneContent } from './phone-content.js';

/** The final result of an operation, as the last DLMessageProcessMessage carries it. */
export interface AgentResult {
  code: number;
  description?: string;
}

/** When a stall fault fired: the agent sends nothing more and waits for the host to give up. */
export const STALLED = Symbol('stalled');

/** What the phone reads back from the host to decide on an incremental backup (Manifest.mbdb for iOS 4–9). */
const PREVIOUS_FILES = ['Status.plist', 'Manifest.plist', 'Manifest.db'] as const;
const LEGACY_PREVIOUS_FILES = ['Status.plist', 'Manifest.plist', 'Manifest.mbdb'] as const;

/**
 * One backup, device side, in the order a real phone runs it (native-notes/protocols/mobilebackup2.md
 * "What a real device does"): read the host's Status.plist (and Manifest.plist + Manifest.db unless a full backup
 * was asked for), decide full or incremental, list the folder, ask for free space, create the folders, upload the
 * changed files in batches (Status.plist "uploading" first), remove files that are gone, and end with Manifest.db,
 * Manifest.plist and Status.plist "finished".
 */
export async function runBackup(
  link: DeviceSideLink,
  context: ServiceContext,
  config: BackupAgentConfig,
  request: PlistDict,
): Promise<AgentResult | typeof STALLED> {
  const { device } = context;
  const faults = config.faults;
  const log = context.logger;
  const udid = device.udid;
  const options = isPlistDict(request.Options) ? request.Options : {};
  // An iOS 4–9 phone writes Manifest.mbdb and flat data files, and reads the previous Manifest.mbdb back.
  const legacy = backupEraOf(device.productVersion).manifest === 'mbdb';
  const forceFull = options.ForceFullBackup === true;
  const previousFiles: readonly string[] = legacy ? LEGACY_PREVIOUS_FILES : PREVIOUS_FILES;

  if (faults.stall === 'before-first-message') {
    log.info('fault: stalling before the first backup message');
    return STALLED;
  }
  if (faults.passcode !== undefined) {
    const entered = await waitForPasscode(context, faults.passcode);
    if (!entered) return { code: 208, description: 'Passcode entry timed out' };
  }

  const encryption = (await BackupEncryption.load(device)).keybag;
  const work = await mkdtemp(join(tmpdir(), 'iosrescue-phone-backup-'));
  let manifest: BuiltManifest | undefined;
  let content: PhoneContent | undefined;
  try {
    // What the computer holds from last time decides between a full and an incremental backup.
    await mkdir(join(work, 'previous'));
    const wanted = forceFull ? ['Status.plist'] : [...previousFiles];
    const { received } = await link.download(
      wanted.map((name) => `${udid}/${name}`),
      0.5,
      (path) => {
        const name = previousFiles.find((known) => path === `${udid}/${known}`);
        return name === undefined ? undefined : createWriteStream(join(work, 'previous', name));
      },
    );
    const previousDbPath = forceFull
      ? undefined
      : await usablePrevious(join(work, 'previous'), udid, received, encryption, legacy);
    const t0 = Date.now();
    const phase = (name: string): void => log.debug({ phase: name, ms: Date.now() - t0 }, 'backup phase done');
    log.info({ incremental: previousDbPath !== undefined }, 'backup: starting');

    content = await config.content();
    manifest = await buildManifest({
      path: join(work, 'Manifest.db'),
      content,
      keybag: encryption?.unlocked,
      previousDbPath,
    });
    if (legacy) await manifest.writeMbdb(join(work, 'Manifest.mbdb'));
    phase('manifest');
    await link.ask(['DLContentsOfDirectory', udid, {}]);

    const manifestSize = (await stat(join(work, legacy ? 'Manifest.mbdb' : 'Manifest.db'))).size;
    const needed =
      manifest.uploadBytes + storedSize(manifestSize, encryption !== undefined) + 4096 + (faults.extraBytesNeeded ?? 0);
    const space = await link.ask(['DLMessageGetFreeDiskSpace']);
    const free = plistNumber(space.value);
    if (space.code !== 0 || free === undefined)
      return { code: 105, description: 'Could not determine free disk space on drive to back up' };
    if (free < needed)
      return {
        code: 105,
        description: `Insufficient free disk space on drive to back up (have ${free} bytes, need ${needed} bytes)`,
      };
    if (faults.errorCode !== undefined) return faults.errorCode;
    phase('free space');

    for (const folder of [udid, ...(legacy ? [] : manifest.folders.map((xx) => `${udid}/${xx}`))]) {
      const made = await link.ask(['DLMessageCreateDirectory', folder, {}, new Real(2)]);
      if (made.code !== 0) return hostFailed(`create ${folder}`, made.text);
    }

    phase('folders');
    const started = new Date();
    const uuid = randomUUID().toUpperCase();
    const isFullBackup = previousDbPath === undefined;
    const uploaded = await uploadFiles(link, config, content, manifest, {
      udid,
      status: buildStatusPlist({ date: started, uuid, snapshotState: 'uploading', isFullBackup }),
      midUploadStallAt: faults.stall === 'mid-upload' ? Math.floor(manifest.uploadBytes / 2) : undefined,
      extraPath: faults.uploadExtraPath,
      failAfterBytes: faults.failAfterBytes,
      oversizeBytes: faults.oversizeFileBytes,
      flat: legacy,
      log,
    });
    if (uploaded !== undefined) return uploaded;
    const sentFiles = manifest.uploadCount;
    phase('upload');

    const removed = [...manifest.removedFileIds()].map((id) =>
      legacy ? `${udid}/${id}` : `${udid}/${id.slice(0, 2)}/${id}`,
    );
    if (removed.length > 0) {
      const gone = await link.ask(['DLMessageRemoveItems', removed, {}, new Real(95)]);
      if (gone.code !== 0) return hostFailed('remove old files', gone.text);
    }

    manifest.close();
    manifest = undefined;
    const closing = await finalFiles(work, udid, encryption, { date: started, uuid, isFullBackup, context, legacy });
    const done = await sendBatch(link, closing, 99);
    if (done !== undefined) return done;
    log.info({ files: sentFiles }, 'backup: finished');
    return { code: 0 };
  } finally {
    manifest?.close();
    await content?.close();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * iOS 16.1+: the phone shows its passcode sheet (and says so on notification_proxy) and waits. The owner types it
 * after `enterAfterMs`, or nobody does and the backup fails after `timeoutMs`.
 */
async function waitForPasscode(
  context: ServiceContext,
  passcode: NonNullable<BackupAgentConfig['faults']['passcode']>,
): Promise<boolean> {
  const notifications = context.device.notifications;
  notifications.post(SyncNotification.PASSCODE_PRESENTED);
  const timeoutMs = passcode.timeoutMs ?? 180_000;
  const entered = passcode.enterAfterMs !== undefined && passcode.enterAfterMs < timeoutMs;
  await new Promise((resolve) => setTimeout(resolve, entered ? passcode.enterAfterMs : timeoutMs).unref());
  notifications.post(SyncNotification.PASSCODE_DISMISSED);
  return entered;
}

/**
 * The previous backup can seed an incremental one when it finished, is encrypted the same way with the same
 * keybag, and its Manifest.db opens. Returns the path of a plaintext copy of that Manifest.db.
 */
async function usablePrevious(
  dir: string,
  udid: string,
  received: Set<string>,
  encryption: { bytes: Buffer; unlocked: UnlockedKeybag } | undefined,
  legacy: boolean,
): Promise<string | undefined> {
  const needed = legacy ? LEGACY_PREVIOUS_FILES : PREVIOUS_FILES;
  if (!needed.every((name) => received.has(`${udid}/${name}`))) return undefined;
  try {
    const status = await readStatusPlist(dir);
    if (status?.snapshotState !== 'finished') return undefined;
    const manifest = await readManifestPlist(dir);
    if (manifest === undefined || manifest.isEncrypted !== (encryption !== undefined)) return undefined;
    if (
      encryption !== undefined &&
      (manifest.backupKeyBag === undefined || !manifest.backupKeyBag.equals(encryption.bytes))
    )
      return undefined;
    // A Manifest.mbdb (never encrypted) becomes a Manifest.db-shaped scratch file, so one builder serves both eras.
    if (legacy) return await mbdbAsManifestDb(join(dir, 'Manifest.mbdb'), join(dir, 'Manifest.from-mbdb.db'));
    let dbPath = join(dir, 'Manifest.db');
    if (encryption !== undefined) {
      if (manifest.manifestKey === undefined) return undefined;
      const key = encryption.unlocked.unwrapKey(manifest.manifestKey);
      const plain = join(dir, 'Manifest.plain.db');
      await pipeline(createReadStream(dbPath), new DecryptStream(key), createWriteStream(plain));
      dbPath = plain;
    }
    const probe = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      probe.prepare('SELECT fileID, flags, file FROM Files LIMIT 1').all();
    } finally {
      probe.close();
    }
    return dbPath;
  } catch {
    // Anything unreadable means the phone cannot trust it: back up everything again.
    return undefined;
  }
}

/** The records of a previous Manifest.mbdb as the Files rows of a Manifest.db at `path`; undefined when damaged. */
async function mbdbAsManifestDb(mbdbPath: string, path: string): Promise<string | undefined> {
  const manifest = await ManifestMbdb.open(mbdbPath);
  if (manifest.problem !== undefined) return undefined;
  const db = new Database(path);
  try {
    db.exec(MANIFEST_DB_SCHEMA);
    const insert = db.prepare(
      'INSERT OR REPLACE INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)',
    );
    const rows: Array<[string, string, string, number, Buffer]> = [];
    for await (const entry of manifest.files())
      rows.push([
        entry.fileId,
        entry.domain,
        entry.relativePath,
        entry.flags,
        encodeMbFile({ ...entry.metadata!, relativePath: entry.relativePath }),
      ]);
    db.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
  } finally {
    db.close();
  }
  return path;
}

function hostFailed(what: string, text: string): AgentResult {
  return { code: 104, description: `The computer could not ${what}: ${text}` };
}

/** One file of an upload batch: where it goes on the host and how to get its bytes. */
interface OutgoingFile {
  devicePath: string;
  hostPath: string;
  size: number;
  open: () => Promise<Readable>;
}

async function uploadFiles(
  link: DeviceSideLink,
  config: BackupAgentConfig,
  content: PhoneContent,
  manifest: BuiltManifest,
  plan: {
    udid: string;
    status: Buffer;
    midUploadStallAt?: number;
    extraPath?: string;
    failAfterBytes?: number;
    oversizeBytes?: number;
    /** iOS 4–9: data files go straight into `<UDID>/`, not into `<UDID>/<id[0:2]>/`. */
    flat: boolean;
    log: ServiceContext['logger'];
  },
): Promise<AgentResult | typeof STALLED | undefined> {
  const batchFiles = config.batchFiles ?? 1000;
  const batchBytes = config.batchBytes ?? 64 * 1024 * 1024;
  link.dropAfterBytes = plan.failAfterBytes;
  let batch: OutgoingFile[] = [
    {
      devicePath: '/var/mobile/.backup/Status.plist',
      hostPath: `${plan.udid}/Status.plist`,
      size: plan.status.length,
      open: async () => Readable.from([plan.status]),
    },
  ];
  if (plan.extraPath !== undefined) {
    const bytes = Buffer.from('this file must never leave the backup folder\n');
    batch.push({
      devicePath: '/var/mobile/.backup/extra',
      hostPath: plan.extraPath,
      size: bytes.length,
      open: async () => Readable.from([bytes]),
    });
  }
  let bytesInBatch = 0;
  let sentBytes = 0;
  const total = Math.max(1, manifest.uploadBytes);
  let oversize = plan.oversizeBytes;
  for (const upload of manifest.uploads()) {
    const extra = oversize ?? 0;
    oversize = undefined;
    if (extra > 0)
      plan.log.info(
        { domain: upload.domain, relativePath: upload.relativePath, extra },
        'fault: sending a file longer than its Manifest.db row says',
      );
    const size = storedSize(upload.size, upload.key !== null) + extra;
    batch.push({
      devicePath: `/var/mobile/${upload.domain}/${upload.relativePath}`,
      hostPath: plan.flat
        ? `${plan.udid}/${upload.fileID}`
        : `${plan.udid}/${upload.fileID.slice(0, 2)}/${upload.fileID}`,
      size,
      open: async () => {
        const plain = await content.open(upload);
        let stream: Readable = plain;
        if (upload.key !== null) {
          const encrypted = new EncryptStream(upload.key);
          plain.on('error', (error) => encrypted.destroy(error));
          stream = plain.pipe(encrypted);
        }
        return extra > 0 ? Readable.from(followedByZeros(stream, extra)) : stream;
      },
    });
    bytesInBatch += size;
    if (batch.length >= batchFiles || bytesInBatch >= batchBytes) {
      const failed = await sendBatch(
        link,
        batch,
        5 + (90 * sentBytes) / total,
        plan.midUploadStallAt === undefined ? undefined : plan.midUploadStallAt - sentBytes,
      );
      if (failed !== undefined) return failed;
      sentBytes += bytesInBatch;
      batch = [];
      bytesInBatch = 0;
    }
  }
  if (batch.length > 0) {
    const failed = await sendBatch(
      link,
      batch,
      5 + (90 * sentBytes) / total,
      plan.midUploadStallAt === undefined ? undefined : plan.midUploadStallAt - sentBytes,
    );
    if (failed !== undefined) return failed;
  }
  return undefined;
}

/** `stream`'s bytes, then `count` zero bytes in 64 KiB pieces (one buffer, never the whole run in memory). */
async function* followedByZeros(stream: Readable, count: number): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield chunk as Buffer;
  const zeros = Buffer.alloc(Math.min(count, 64 * 1024));
  for (let left = count; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
}

/** One DLMessageUploadFiles: the message, each file's stream, the terminator, and the host's status. */
async function sendBatch(
  link: DeviceSideLink,
  files: OutgoingFile[],
  progress: number,
  stallAfter?: number,
): Promise<AgentResult | typeof STALLED | undefined> {
  const batchBytes = files.reduce((sum, file) => sum + file.size, 0);
  await link.send(['DLMessageUploadFiles', {}, new Real(Math.min(100, progress)), batchBytes]);
  let sent = 0;
  for (const file of files) {
    await link.beginUpload(file.devicePath, file.hostPath);
    for await (const chunk of await file.open()) {
      await link.uploadData(chunk as Buffer);
      sent += (chunk as Buffer).length;
      if (stallAfter !== undefined && sent >= stallAfter) {
        return STALLED;
      }
    }
    await link.endUpload();
  }
  await link.endUploadStream();
  const status = await link.receiveStatus();
  if (status.code !== 0) return hostFailed('save the files the phone sent', status.text);
  return undefined;
}

/**
 * Manifest.db (encrypted with a fresh class-3 key when encrypting), Manifest.plist, and Status.plist "finished". An
 * iOS 4–9 phone sends Manifest.mbdb instead, never encrypted (its records carry each file's wrapped key), and so no
 * ManifestKey.
 */
async function finalFiles(
  work: string,
  udid: string,
  encryption: { bytes: Buffer; unlocked: UnlockedKeybag } | undefined,
  run: { date: Date; uuid: string; isFullBackup: boolean; context: ServiceContext; legacy: boolean },
): Promise<OutgoingFile[]> {
  const { device } = run.context;
  const manifestName = run.legacy ? 'Manifest.mbdb' : 'Manifest.db';
  const plainDb = join(work, manifestName);
  let dbPath = plainDb;
  let manifestKey: Buffer | undefined;
  if (encryption !== undefined && !run.legacy) {
    const fresh = newWrappedKey(encryption.unlocked, 3);
    manifestKey = fresh.wrapped;
    dbPath = join(work, 'Manifest.db.encrypted');
    await pipeline(createReadStream(plainDb), new EncryptStream(fresh.key), createWriteStream(dbPath));
  }
  const dbSize = (await stat(dbPath)).size;
  const manifestPlist = buildManifestPlist({
    date: run.date,
    device: {
      udid,
      deviceName: device.name,
      productType: String(device.getValue(undefined, 'ProductType') ?? ''),
      productVersion: device.productVersion,
      buildVersion: String(device.getValue(undefined, 'BuildVersion') ?? ''),
      serialNumber: String(device.getValue(undefined, 'SerialNumber') ?? ''),
    },
    keybag: encryption?.bytes,
    isEncrypted: encryption !== undefined,
    manifestKey,
  });
  const status = buildStatusPlist({
    date: run.date,
    uuid: run.uuid,
    snapshotState: 'finished',
    isFullBackup: run.isFullBackup,
  });
  return [
    {
      devicePath: `/var/mobile/.backup/${manifestName}`,
      hostPath: `${udid}/${manifestName}`,
      size: dbSize,
      open: async () => createReadStream(dbPath),
    },
    {
      devicePath: '/var/mobile/.backup/Manifest.plist',
      hostPath: `${udid}/Manifest.plist`,
      size: manifestPlist.length,
      open: async () => Readable.from([manifestPlist]),
    },
    {
      devicePath: '/var/mobile/.backup/Status.plist',
      hostPath: `${udid}/Status.plist`,
      size: status.length,
      open: async () => Readable.from([status]),
    },
  ];
}
