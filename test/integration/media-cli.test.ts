import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuilt, cliPath, runCli } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * `iosrescue media pull` as a person runs it, against the virtual iPhone serving a folder: Ctrl-C part-way exits 130
 * and leaves no incomplete file under a final name, the next run finishes the tree; a bad --types is a usage error
 * (exit 2) with its code in --json.
 */
if (!cliBuilt) console.warn('skipping the media CLI tests: build first (npm run build)');

let emu: TestEmulator;
let work: string;
let source: string;
let env: NodeJS.ProcessEnv;

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.iosrescue'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

beforeAll(async () => {
  if (!cliBuilt) return;
  work = await mkdtemp(join(tmpdir(), 'iosr-media-cli-'));
  source = join(work, 'phone');
  await mkdir(join(source, 'DCIM/100APPLE'), { recursive: true });
  for (let i = 0; i < 80; i++) await writeFile(join(source, `DCIM/100APPLE/IMG_${1000 + i}.JPG`), randomBytes(600_000));
  emu = await startTestEmulator({ devices: 1, backup: { media: source } });
  env = { ...emu.env, IOSRESCUE_HOME: join(work, 'home') };
});
afterAll(async () => {
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!cliBuilt)('iosrescue media pull', () => {
  it('stops on Ctrl-C with exit 130 and no incomplete file under a final name; the next run completes the tree', async () => {
    const out = join(work, 'out');
    const child = spawn(process.execPath, [cliPath, 'media', 'pull', '--out', out, '--json'], { env });
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!interrupted && stdout.includes('"event":"file"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (status) => done(status)));
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    const left = await filesUnder(out);
    const complete = left.filter((path) => !path.endsWith('.partial'));
    expect(complete.length).toBeGreaterThan(0);
    expect(complete.length).toBeLessThan(80);
    for (const path of complete)
      expect((await readFile(join(out, path))).equals(await readFile(join(source, path))), path).toBe(true);

    const again = await runCli(['media', 'pull', '--out', out, '--json'], env, 120_000);
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { copied: number; unchanged: number };
    expect(result.unchanged).toBe(complete.length);
    expect(result.copied).toBe(80 - complete.length);
    expect(await filesUnder(out)).toEqual(await filesUnder(source));
  });

  it('refuses a type it does not know with exit 2 and the code in --json', async () => {
    const run = await runCli(['media', 'pull', '--out', join(work, 'x'), '--types', 'photos,selfies', '--json'], env);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ error: { code: 'MEDIA_BAD_TYPES' } });
  });
});
