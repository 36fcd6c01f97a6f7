/**
 * Plist codec throughput: ours next to bplist-creator / bplist-parser (the design card's packages) on the same
 * values, in one run (ops/s: higher is better). A backup sends hundreds of thousands of DeviceLink messages, so
 * per-message cost matters.
 * Run: npm run build && node dist/scripts/bench/plist.js
 */
import bplistCreator from 'bplist-creator';
import * as bplistParser from 'bplist-parser';
import { Real, parseBinaryPlist, toBinaryPlist, type PlistValue } from '../../src/plist/index.js';

const message: PlistValue = ['DLMessageUploadFiles', { DLDeviceIOCallbacks: 1 }, new Real(42.5), 123456789];
const bigDict: Record<string, PlistValue> = {};
for (let i = 0; i < 2_000; i++) bigDict[`Key${i}`] = { Size: i, Name: `file-${i}.jpg`, Flags: i % 3 === 0 };

function opsPerSecond(work: () => void, minMs = 400): number {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    work();
    count++;
  }
  return count / ((performance.now() - started) / 1000);
}

function row(name: string, ours: number, peer: number): string {
  return `${name.padEnd(36)} ${ours.toFixed(1).padStart(10)} ${peer.toFixed(1).padStart(12)} ${(ours / peer).toFixed(2).padStart(7)}x`;
}

// bplist-parser refuses more than 32,768 objects by default; the dict has about 10,000.
bplistParser.setMaxObjectCount(1_000_000);

const peerMessage = ['DLMessageUploadFiles', { DLDeviceIOCallbacks: 1 }, new bplistCreator.Real(42.5), 123456789];
const encodedMessage = toBinaryPlist(message);
const encodedDict = toBinaryPlist(bigDict);

console.log(
  `${'operation (ops/s)'.padEnd(36)} ${'iosrescue'.padStart(10)} ${'bplist-*'.padStart(12)} ${'ratio'.padStart(8)}`,
);
console.log(
  row(
    'encode DL message',
    opsPerSecond(() => toBinaryPlist(message)),
    opsPerSecond(() => bplistCreator(peerMessage as never)),
  ),
);
console.log(
  row(
    'decode DL message',
    opsPerSecond(() => parseBinaryPlist(encodedMessage)),
    opsPerSecond(() => bplistParser.parseBuffer(encodedMessage)),
  ),
);
console.log(
  row(
    'encode 2k-entry dict',
    opsPerSecond(() => toBinaryPlist(bigDict)),
    opsPerSecond(() => bplistCreator(bigDict as never)),
  ),
);
console.log(
  row(
    'decode 2k-entry dict',
    opsPerSecond(() => parseBinaryPlist(encodedDict)),
    opsPerSecond(() => bplistParser.parseBuffer(encodedDict)),
  ),
);
