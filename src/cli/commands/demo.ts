import type { Command } from 'commander';
import { access as pathExists, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../../emulator/index.js';
import { PairRecordStore } from '../../lockdown/index.js';
import { backupDevice, extractBackup, listDevices, pairWithDevice, readDeviceInfo, scanBackup, validatePairing, type BackupProgress, type DeviceAccess } from '../../operations/index.js';
import { isPlistDict, type PlistValue } from '../../plist/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../usbmux/index.js';
import { formatBytes, formatDuration, ProgressBar } from '../progress-bar.js';
import { runCommand } from '../run-command.js';

/** The values the demo shows: what a person recognises on their phone's About screen. */
const SHOWN_KEYS = ['DeviceName', 'ProductType', 'ProductVersion', 'BuildVersion', 'SerialNumber', 'UniqueDeviceID', 'WiFiAddress', 'PhoneNumber'];

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('try iosrescue without a phone: start the built-in virtual iPhone, pair with it (Trust dialog included), show its values, pull a backup, show what it holds, save it all (deleted items included) into a folder and write the report page to browse it')
    .option('--trust-delay <SECONDS>', 'how long the virtual owner takes to tap Trust', '2')
    .option('--keep', 'keep the virtual iPhone\'s folder (its state, our pair record and the backup) instead of deleting it', false)
    .option('--out <DIR>', 'where to save the extracted data and report.html (default: a new iosrescue-demo-* folder in the temp folder, kept); must be empty or new')
    .addHelpText('after', '\nEverything runs in a temporary folder over a private usbmuxd socket: real phones and their pairings are not touched.\n')
    .action(async (flags: { trustDelay: string; keep: boolean; out?: string }, command: Command) =>
      runCommand(command, async ({ logger, print, globals, signal }) => {
        const say = (line: string): void => {
          if (!globals.json) process.stdout.write(`${line}\n`);
        };
        const dir = await mkdtemp(join(tmpdir(), 'iosrescue-demo-'));
        const socketPath = join(dir, 'usbmuxd.sock');
        const emulator = await startEmulator({
          socketPath,
          stateDir: join(dir, 'phone'),
          devices: 1,
          seed: 'demo',
          trust: `pending:${Number(flags.trustDelay)}`,
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
            onWaiting: (message) => say(`   … ${message} (the virtual owner taps it in ${flags.trustDelay} s)`),
          };
          const [device] = await listDevices(access);
          say(`2. Found ${device!.name} (${device!.productType}, iOS ${device!.productVersion}), UDID ${device!.udid}, over ${device!.connectionType}`);
          say('3. Pairing: the phone shows "Trust This Computer?"');
          const pairing = await pairWithDevice(access, device!.udid, { timeoutMs: 60_000 });
          say(`   Paired (HostID ${pairing.hostId}); pair record stored owner-only`);
          await validatePairing(access, device!.udid);
          say('4. Opened a TLS lockdown session with the pair record; the phone\'s values:');
          const { value } = await readDeviceInfo(access, { udid: device!.udid, pairIfNeeded: false });
          const shown = pick(value, SHOWN_KEYS);
          const battery = await readDeviceInfo(access, { udid: device!.udid, domain: 'com.apple.mobile.battery', key: 'BatteryCurrentCapacity', pairIfNeeded: false });
          const encrypted = await readDeviceInfo(access, { udid: device!.udid, domain: 'com.apple.mobile.backup', key: 'WillEncrypt', pairIfNeeded: false });
          for (const [key, item] of Object.entries(shown)) say(`   ${key.padEnd(16)} ${String(item)}`);
          say(`   ${'Battery'.padEnd(16)} ${String(battery.value)} %`);
          say(`   ${'Backups'.padEnd(16)} ${encrypted.value === true ? 'encrypted' : 'not encrypted'}`);
          say('5. Pulling a backup over mobilebackup2 (the same protocol Finder and idevicebackup2 use):');
          const bar = !globals.json && process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
          let lastPhase = '';
          const onProgress = (progress: BackupProgress): void => {
            if (bar) bar.update(progress);
            else if (progress.phase !== lastPhase) say(`   … ${progress.message}`);
            lastPhase = progress.phase;
          };
          const backupRoot = join(dir, 'backups');
          const backup = await backupDevice({ ...access, logger: logger.child({}, { level: 'warn' }) }, { udid: device!.udid, out: backupRoot, onProgress });
          bar?.stop();
          say(`   Backup complete: ${backup.files} files, ${formatBytes(backup.bytes)} in ${formatDuration(backup.seconds)}, in ${backup.path}`);
          say('6. What the backup holds (iosrescue scan):');
          const scan = await scanBackup({ backup: backup.path });
          for (const type of scan.types.filter((t) => t.present)) {
            const deleted = [type.recentlyDeleted ? `${type.recentlyDeleted} recently deleted` : '', type.purged ? `~${type.purged} deleted for good` : ''].filter(Boolean).join(', ');
            say(`   ${type.type.padEnd(16)} ${String(type.count).padStart(5)}${deleted ? `  (${deleted})` : ''}`);
          }
          const out = flags.out === undefined ? await mkdtemp(join(tmpdir(), 'iosrescue-demo-')) : resolve(flags.out);
          await mkdir(out, { recursive: true });
          if ((await readdir(out)).length > 0) throw new Error(`${out} is not empty: choose a new or empty folder for --out`);
          say(`7. Saving everything into ${out} (iosrescue extract), deleted items the phone or the carver still has included:`);
          const extraction = await extractBackup({ backup: backup.path, out, signal });
          for (const t of extraction.types.filter((r) => r.status !== 'missing')) {
            say(`   ${t.type.padEnd(16)} ${t.status === 'ok' ? `${String(t.records).padStart(5)} records, ${t.files} files` : `failed: ${t.error?.message}`}`);
          }
          const report = join(out, 'report.html');
          const hasReport = await pathExists(report).then(() => true, () => false);
          if (hasReport) say(`\nOpen the report to browse and pick what to keep: ${pathToFileURL(report).href}`);
          say(`Next, with a real phone: iosrescue backup, then iosrescue extract <backup> --out <folder>${flags.keep ? ` (this backup: ${backup.path})` : ''}.`);
          say('\nTry the same with any client: iosrescue emulator --socket /tmp/iosrescue.sock, then');
          say('USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/iosrescue.sock iosrescue devices   (or idevice_id -l, ideviceinfo)');
          print('', {
            device,
            pairing,
            values: { ...shown, BatteryCurrentCapacity: battery.value, WillEncrypt: encrypted.value },
            backup: { ...backup, path: flags.keep ? backup.path : null },
            scan: scan.types,
            extraction,
            report: hasReport ? report : null,
            folder: flags.keep ? dir : null,
          });
        } finally {
          await emulator.stop();
          if (!flags.keep) await rm(dir, { recursive: true, force: true });
          else say(`Kept ${dir}`);
        }
      }),
    );
}

function pick(value: PlistValue, keys: string[]): Record<string, PlistValue> {
  const out: Record<string, PlistValue> = {};
  if (!isPlistDict(value)) return out;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key]!;
  return out;
}
