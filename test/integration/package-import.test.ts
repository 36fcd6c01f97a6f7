import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliBuilt, repoRoot } from '../helpers/cli.js';

/**
 * The package as npm ships it: `npm pack`, unpacked as node_modules/iosrescue of a scratch project, imported by its
 * name. The scratch project sits under the repository's own tmp/ (ignored by git), so the packed package finds its
 * dependencies in the repository's node_modules the way Node resolves them, without installing anything.
 */
const scratch = join(repoRoot, 'tmp', `package-import-${process.pid}`);

describe.skipIf(!cliBuilt)('the packed package', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('imports by name from a scratch project: backupDevice, extractBackup, startEmulator and the error base class', async () => {
    mkdirSync(join(scratch, 'node_modules', 'iosrescue'), { recursive: true });
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', [
      '-xzf',
      join(scratch, packed),
      '-C',
      join(scratch, 'node_modules', 'iosrescue'),
      '--strip-components=1',
    ]);
    // What the tarball holds: the built library, no sources, tests or scripts.
    const shipped = readdirSync(join(scratch, 'node_modules', 'iosrescue'));
    expect(shipped).toEqual(expect.arrayContaining(['package.json', 'dist', 'README.md', 'native-notes']));
    expect(shipped).not.toContain('src');
    expect(shipped).not.toContain('test');
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', type: 'module', private: true }));
    writeFileSync(
      join(scratch, 'probe.mjs'),
      [
        "import { backupDevice, createLogger, defaultDeviceAccess, extractBackup, listDevices, startEmulator, IosRescueError } from 'iosrescue';",
        "import { createRequire } from 'node:module';",
        "const pkg = createRequire(import.meta.url)('iosrescue/package.json');",
        'const emulator = await startEmulator({ socketPath: process.argv[2], stateDir: process.argv[3], devices: 2 });',
        'try {',
        "  const devices = await listDevices(defaultDeviceAccess(createLogger({ level: 'silent' })), { details: false });",
        '  console.log(JSON.stringify({ version: pkg.version, backupDevice: typeof backupDevice, extractBackup: typeof extractBackup, error: typeof IosRescueError, devices: devices.length }));',
        '} finally {',
        '  await emulator.stop();',
        '}',
      ].join('\n'),
    );
    const socket = join(scratch, 'mux.sock');
    const out = execFileSync(process.execPath, ['probe.mjs', socket, join(scratch, 'state')], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, USBMUXD_SOCKET_ADDRESS: `UNIX:${socket}` },
    });
    // The library's emulator and its usbmux client talk: two virtual phones are listed.
    expect(JSON.parse(out)).toEqual({
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      backupDevice: 'function',
      extractBackup: 'function',
      error: 'function',
      devices: 2,
    });
  }, 120_000);
});
