/**
 * Decrypt throughput: our streaming DecryptStream (read stream → AES-256-CBC → write stream, as `iosrescue decrypt`
 * does it) against `openssl enc -d -aes-256-cbc -nopad` on the same ciphertext in the same run (the ceiling:
 * OpenSSL's own loop with no JavaScript in between). Both read the same page-cached file and write to /dev/null,
 * so the figure is decryption, not the disk's writeback (which varied 3x between runs here). One run each, then
 * peak RSS of ours at two sizes to show memory does not grow with the input.
 *
 *   npm run build && node dist/scripts/bench/decrypt.js [--mb 256] [--dir /tmp]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DecryptStream } from '../../src/backup/decrypt.js';
import { decryptFile } from '../../src/backup/decrypt-file.js';
import { EncryptStream } from '../../src/backup/encrypt.js';
import { maxCipherBytes, openRegularFile } from '../../src/backup/safe-open.js';
import { patternStream } from '../../src/backup/synthetic-content.js';

const KEY = Buffer.alloc(32, 0x5a);
const READ_CHUNK = 1024 * 1024;

/** What BackupReader.openFile uses: the safe open, then decryptFile (double-buffered reads into the decryptor). */
async function decryptOurs(input: string, output: string, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  const { handle } = await openRegularFile(input, { label: 'bench input', maxBytes: maxCipherBytes(size) });
  await pipeline(decryptFile(handle, KEY, size), createWriteStream(output, { highWaterMark: 4 * READ_CHUNK }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The generic Transform, for callers that already have a stream (createReadStream → DecryptStream). */
async function decryptTransform(input: string, output: string, size: number): Promise<number> {
  const started = process.hrtime.bigint();
  await pipeline(
    createReadStream(input, { highWaterMark: READ_CHUNK }),
    new DecryptStream(KEY, size),
    createWriteStream(output),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function decryptOpenssl(input: string, output: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync('openssl', [
    'enc',
    '-d',
    '-aes-256-cbc',
    '-K',
    KEY.toString('hex'),
    '-iv',
    '00'.repeat(16),
    '-nopad',
    '-in',
    input,
    '-out',
    output,
  ]);
  if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr.toString()}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Child mode: decrypt one file and report this process's peak RSS (ru_maxrss, kB on Linux). */
async function child(input: string, output: string, size: number): Promise<void> {
  await decryptOurs(input, output, size);
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
}

async function makeCipherFile(path: string, size: number): Promise<void> {
  await pipeline(patternStream('bench', size), new EncryptStream(KEY), createWriteStream(path));
}

function peakRss(input: string, output: string, size: number): number {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', input, output, String(size)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return (JSON.parse(run.stdout) as { maxRssKb: number }).maxRssKb / 1024;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mb: { type: 'string', default: '256' },
    dir: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
if (values.child) {
  await child(positionals[0]!, positionals[1]!, Number(positionals[2]));
} else {
  const mb = Number(values.mb);
  const size = mb * 1024 * 1024;
  const dir = await mkdtemp(join(values.dir ?? tmpdir(), 'iosrescue-bench-'));
  try {
    const cipher = join(dir, 'big.enc');
    await makeCipherFile(cipher, size);
    const cipherBytes = statSync(cipher).size;
    // One untimed pass each first: the page cache for both, and V8's compiler for ours.
    decryptOpenssl(cipher, '/dev/null');
    await decryptOurs(cipher, '/dev/null', size);
    const opensslSeconds = decryptOpenssl(cipher, '/dev/null');
    const oursSeconds = await decryptOurs(cipher, '/dev/null', size);
    const transformSeconds = await decryptTransform(cipher, '/dev/null', size);
    const mbps = (seconds: number): number => cipherBytes / 1e6 / seconds;
    const small = join(dir, 'small.enc');
    const smallSize = Math.max(1, Math.floor(mb / 8)) * 1024 * 1024;
    await makeCipherFile(small, smallSize);
    const rssSmall = peakRss(small, '/dev/null', smallSize);
    const rssBig = peakRss(cipher, '/dev/null', size);
    const lines = [
      `decrypt ${(cipherBytes / 1e6).toFixed(1)} MB (AES-256-CBC, cached file to /dev/null, ${process.version}, ${process.arch})`,
      `  openssl enc -d -aes-256-cbc -nopad : ${mbps(opensslSeconds).toFixed(0)} MB/s (${opensslSeconds.toFixed(2)} s)`,
      `  iosrescue decryptFile (openFile)  : ${mbps(oursSeconds).toFixed(0)} MB/s (${oursSeconds.toFixed(2)} s), ${((100 * mbps(oursSeconds)) / mbps(opensslSeconds)).toFixed(0)}% of openssl`,
      `  createReadStream → DecryptStream  : ${mbps(transformSeconds).toFixed(0)} MB/s (${transformSeconds.toFixed(2)} s), ${((100 * mbps(transformSeconds)) / mbps(opensslSeconds)).toFixed(0)}% of openssl`,
      `  peak RSS of ours: ${rssSmall.toFixed(0)} MB at ${smallSize / 1048576} MiB, ${rssBig.toFixed(0)} MB at ${mb} MiB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
