import { access as pathExists, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExtractionReport } from '../extract/index.js';
import type { Logger } from '../logging.js';
import { PairRecordStore } from '../lockdown/index.js';
import { isPlistDict, type PlistValue } from '../plist/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../usbmux/index.js';
import { backupDevice, type BackupDeviceResult } from './backup-device.js';
import type { BackupProgress } from './backup-progress.js';
import { startEmulator } from './demo-emulator.js';
import type { DeviceAccess } from './device-access.js';
import { readDeviceInfo } from './device-info.js';
import { extractBackup } from './extract-backup.js';
import { formatBytes, formatDuration } from './format-units.js';
import { listDevices, type DeviceSummary } from './list-devices.js';
import { pairWithDevice, validatePairing, type PairingResult } from './pair-device.js';
import { scanBackup, type ScanTypeSummary } from './scan-backup.js';

/** The values the demo shows: what a person recognises on their phone's About screen. */
const SHOWN_KEYS = [
  'DeviceName',
  'ProductType',
  'ProductVersion',
  'BuildVersion',
  'SerialNumber',
  'UniqueDeviceID',
  'WiFiAddress',
  'PhoneNumber',
];

export interface DemoOptions {
  /** How long the virtual owner takes to tap Trust. */
  trustDelaySeconds: number;
  /** Keep the virtual iPhone's folder (its state, our pair record and the backup) instead of deleting it. */
  keep?: boolean;
  /** Where the extracted data and report.html go (default: a new iosrescue-demo-* folder in the temp folder, kept);
   * must be empty or new. */
  out?: string;
  logger: Logger;
  signal?: AbortSignal;
  /** The demo's narration, one line at a time. */
  onLine?: (line: string) => void;
  /** Backup progress while step 5 runs; without it each new backup phase is narrated as a line. */
  onBackupProgress?: (progress: BackupProgress) => void;
}

export interface DemoResult {
  device: DeviceSummary;
  pairing: PairingResult;
  values: Record<string, PlistValue>;
  /** The backup's path is null unless the folder is kept. */
  backup: Omit<BackupDeviceResult, 'path'> & { path: string | null };
  scan: ScanTypeSummary[];
  extraction: ExtractionReport;
  report: string | null;
  /** The virtual iPhone's folder when kept. */
  folder: string | null;
}

/**
 * iosrescue without a phone: starts the virtual iPhone behind a private usbmuxd socket in a temporary folder (real
 * phones and their pairings are not touched), pairs with it through its Trust dialog, shows its values, pulls a
 * backup, scans it and saves everything (deleted items included) with the report page, narrating each step.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { logger, signal } = options;
  const say = (line: string): void => options.onLine?.(line);
  const dir = await mkdtemp(join(tmpdir(), 'iosrescue-demo-'));
  const socketPath = join(dir, 'usbmuxd.sock');
  const emulator = await startEmulator({
    socketPath,
    stateDir: join(dir, 'phone'),
    devices: 1,
    seed: 'demo',
    trust: `pending:${options.trustDelaySeconds}`,
    // The phone's own log lines would bury the demo's steps: only its warnings.
    logger: logger.child({ component: 'virtual-iphone' }, { level: 'warn' }),
  });
  try {
    say(`1. Virtual iPhone started behind a usbmuxd socket: USBMUXD_SOCKET_ADDRESS=${emulator.usbmuxdSocketAddress}`);
    const access: DeviceAccess = {
      usbmux: new UsbmuxClient({ address: parseUsbmuxAddress(emulator.usbmuxdSocketAddress) }),
      store: new PairRecordStore(join(dir, 'pair-records')),
      logger,
      signal,
      onWaiting: (message) => say(`   … ${message} (the virtual owner taps it in ${options.trustDelaySeconds} s)`),
    };
    const [device] = await listDevices(access);
    say(
      `2. Found ${device!.name} (${device!.productType}, iOS ${device!.productVersion}), UDID ${device!.udid}, over ${device!.connectionType}`,
    );
    say('3. Pairing: the phone shows "Trust This Computer?"');
    const pairing = await pairWithDevice(access, device!.udid, { timeoutMs: 60_000 });
    say(`   Paired (HostID ${pairing.hostId}); pair record stored owner-only`);
    await validatePairing(access, device!.udid);
    say("4. Opened a TLS lockdown session with the pair record; the phone's values:");
    const { value } = await readDeviceInfo(access, { udid: device!.udid, pairIfNeeded: false });
    const shown = pick(value, SHOWN_KEYS);
    const battery = await readDeviceInfo(access, {
      udid: device!.udid,
      domain: 'com.apple.mobile.battery',
      key: 'BatteryCurrentCapacity',
      pairIfNeeded: false,
    });
    const encrypted = await readDeviceInfo(access, {
      udid: device!.udid,
      domain: 'com.apple.mobile.backup',
      key: 'WillEncrypt',
      pairIfNeeded: false,
    });
    for (const [key, item] of Object.entries(shown)) say(`   ${key.padEnd(16)} ${String(item)}`);
    say(`   ${'Battery'.padEnd(16)} ${String(battery.value)} %`);
    say(`   ${'Backups'.padEnd(16)} ${encrypted.value === true ? 'encrypted' : 'not encrypted'}`);
    say('5. Pulling a backup over mobilebackup2 (the same protocol Finder and idevicebackup2 use):');
    let lastPhase = '';
    const onProgress = (progress: BackupProgress): void => {
      if (options.onBackupProgress) options.onBackupProgress(progress);
      else if (progress.phase !== lastPhase) say(`   … ${progress.message}`);
      lastPhase = progress.phase;
    };
    const backupRoot = join(dir, 'backups');
    const backup = await backupDevice(
      { ...access, logger: logger.child({}, { level: 'warn' }) },
      { udid: device!.udid, out: backupRoot, onProgress },
    );
    say(
      `   Backup complete: ${backup.files} files, ${formatBytes(backup.bytes)} in ${formatDuration(backup.seconds)}, in ${backup.path}`,
    );
    say('6. What the backup holds (iosrescue scan):');
    const scan = await scanBackup({ backup: backup.path });
    for (const type of scan.types.filter((t) => t.present)) {
      const deleted = [
        type.recentlyDeleted ? `${type.recentlyDeleted} recently deleted` : '',
        type.rowIdsMissing ? `row ids missing: ${type.rowIdsMissing}, may or may not be recoverable` : '',
      ]
        .filter(Boolean)
        .join(', ');
      say(`   ${type.type.padEnd(16)} ${String(type.records).padStart(5)}${deleted ? `  (${deleted})` : ''}`);
    }
    const out = options.out === undefined ? await mkdtemp(join(tmpdir(), 'iosrescue-demo-')) : resolve(options.out);
    await mkdir(out, { recursive: true });
    if ((await readdir(out)).length > 0) throw new Error(`${out} is not empty: choose a new or empty folder for --out`);
    say(
      `7. Saving everything into ${out} (iosrescue extract), deleted items the phone or the carver still has included:`,
    );
    const extraction = await extractBackup({ backup: backup.path, out, signal });
    for (const t of extraction.types.filter((r) => r.status !== 'missing')) {
      say(
        `   ${t.type.padEnd(16)} ${t.status === 'ok' ? `${String(t.records).padStart(5)} records, ${t.files} files` : `failed: ${t.error?.message}`}`,
      );
    }
    const report = join(out, 'report.html');
    const hasReport = await pathExists(report).then(
      () => true,
      () => false,
    );
    if (hasReport) say(`\nOpen the report to browse and pick what to keep: ${pathToFileURL(report).href}`);
    say(
      `Next, with a real phone: iosrescue backup, then iosrescue extract <backup> --out <folder>${options.keep ? ` (this backup: ${backup.path})` : ''}.`,
    );
    say('\nTry the same with any client: iosrescue emulator --socket /tmp/iosrescue.sock, then');
    say('USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/iosrescue.sock iosrescue devices   (or idevice_id -l, ideviceinfo)');
    for (const line of consoleHint(options.keep ? backup.path : null)) say(line);
    return {
      device: device!,
      pairing,
      values: { ...shown, BatteryCurrentCapacity: battery.value, WillEncrypt: encrypted.value },
      backup: { ...backup, path: options.keep ? backup.path : null },
      scan: scan.types,
      extraction,
      report: hasReport ? report : null,
      folder: options.keep ? dir : null,
    };
  } finally {
    await emulator.stop();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
    else say(`Kept ${dir}`);
  }
}

/** How to open the demo's backup, or the virtual iPhone itself, in the daemon's browser console. */
function consoleHint(keptBackup: string | null): string[] {
  return [
    '\nOr browse and save in the browser console, served by the daemon:',
    '  iosrescue daemon --listen 127.0.0.1:8080   (leave it running; in another terminal:)',
    '  iosrescue console                          (prints a one-time login link and opens it)',
    keptBackup
      ? `  then, under Backups, add the folder ${keptBackup}`
      : '  then, under Backups, add a backup folder (iosrescue demo --keep keeps this one and prints its folder)',
    '  For the virtual iPhone itself: iosrescue emulator --socket /tmp/iosrescue.sock, and start the daemon with',
    '  USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/iosrescue.sock iosrescue daemon --listen 127.0.0.1:8080',
  ];
}

function pick(value: PlistValue, keys: string[]): Record<string, PlistValue> {
  const out: Record<string, PlistValue> = {};
  if (!isPlistDict(value)) return out;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key]!;
  return out;
}
