/**
 * Writes a realistic iTunes/Finder backup folder for tests and demos, plain or encrypted exactly as a device
 * encrypts (keybag with both PBKDF2 steps, per-file keys, encrypted Manifest.db).
 *
 *   npm run build && node dist/scripts/make-backup.js --out /tmp/backup [--password-env VAR] [--format db|mbdb]
 *        [--content pattern|sample|sample:ios=N] [--extra-files N] [--extra-size BYTES] [--fast-kdf] [--interrupted]
 *
 * --content pattern (default) writes a few files of pattern bytes in real paths; sample writes the emulator's demo
 * phone (real databases, deleted rows included); sample:ios=N writes it in iOS N's schemas, with Info.plist and
 * Manifest.plist reporting iOS N, as Manifest.mbdb for N ≤ 9 unless --format says otherwise.
 *
 * The password comes from an environment variable, never argv. --fast-kdf uses 1,000/100 PBKDF2 rounds instead of
 * the device's 10,000,000/10,000 (the result still opens with any reader; it just unlocks in milliseconds).
 */
import { parseArgs } from 'node:util';
import { patternStream, sampleItems, writeSyntheticBackup, type SyntheticItem } from '../src/backup/index.js';
import { generateDeviceContent, type DeviceContent } from '../src/emulator/content/index.js';
import { parseIosVersion } from '../src/emulator/content/ios-versions.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'password-env': { type: 'string' },
    format: { type: 'string' },
    content: { type: 'string', default: 'pattern' },
    'extra-files': { type: 'string', default: '0' },
    'extra-size': { type: 'string', default: '65536' },
    'fast-kdf': { type: 'boolean', default: false },
    interrupted: { type: 'boolean', default: false },
  },
});

if (!values.out) {
  process.stderr.write(
    'usage: make-backup --out DIR [--password-env VAR] [--format db|mbdb] [--content pattern|sample|sample:ios=N] [--extra-files N] [--extra-size BYTES] [--fast-kdf] [--interrupted]\n',
  );
  process.exit(2);
}
let password: string | undefined;
if (values['password-env']) {
  password = process.env[values['password-env']];
  if (!password) {
    process.stderr.write(`environment variable ${values['password-env']} is empty\n`);
    process.exit(2);
  }
}
let content: DeviceContent | undefined;
if (values.content !== 'pattern') {
  const match = /^sample(?::ios=(.+))?$/.exec(values.content ?? '');
  if (!match) {
    process.stderr.write(`--content is pattern, sample or sample:ios=N (got "${values.content}")\n`);
    process.exit(2);
  }
  try {
    content = generateDeviceContent({ seed: 'demo', iosVersion: match[1] ? parseIosVersion(match[1]) : undefined });
  } catch (error) {
    process.stderr.write(`--content: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
const format = values.format ?? (content && content.device.major <= 9 ? 'mbdb' : 'db');
const extraSize = Number(values['extra-size']);
const items: SyntheticItem[] = [
  ...(content ? content.items : sampleItems()),
  ...Array.from(
    { length: Number(values['extra-files']) },
    (_, i): SyntheticItem => ({
      domain: 'CameraRollDomain',
      relativePath: `Media/DCIM/101APPLE/IMG_${String(i).padStart(4, '0')}.JPG`,
      data: { size: extraSize, open: () => patternStream(`extra-${i}`, extraSize) },
    }),
  ),
];
const started = Date.now();
const { device } = await writeSyntheticBackup(values.out, {
  items,
  password,
  format: format === 'mbdb' ? 'mbdb' : 'db',
  device: content
    ? {
        productVersion: content.device.productVersion,
        buildVersion: content.device.buildVersion,
        productType: content.device.productType,
      }
    : undefined,
  keybag: values['fast-kdf'] ? { dpic: 1000, iterations: 100 } : undefined,
  snapshotState: values.interrupted ? 'uploading' : 'finished',
});
process.stdout.write(
  `${values.out}: ${items.length} items, ${password ? 'encrypted' : 'plain'}, ${format}, ${content ? `iOS ${content.device.productVersion} content, ` : ''}device ${device.udid} (${Date.now() - started} ms)\n`,
);
