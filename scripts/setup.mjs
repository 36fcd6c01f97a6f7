#!/usr/bin/env node
// Makes a fresh clone ready: npm packages, Debian packages the tests need (when root on Debian), and the build.
// Plain JavaScript on purpose: it runs before TypeScript and the dependencies exist.
// Usage: node scripts/setup.mjs [--test]   (--test also installs what the interop and browser tests need)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');
const say = (text) => process.stderr.write(`[setup] ${text}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(' ')} (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

// 1. npm packages: install when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  say('installing npm packages (better-sqlite3 may build from source: about 2 minutes the first time)');
  // node-gyp must build against the local Node headers: no prebuilt download is reachable everywhere.
  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  // go-ios's install script moves a copy of its binary into npm's global bin folder: as a user that folder is
  // usually root's (the install would fail), as root it would litter /usr/bin. A private global folder inside
  // node_modules takes it instead; the interop tests run the binary the package keeps under dist/.
  env.npm_config_prefix = join(root, 'node_modules', '.npm-global');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env });
}

// 2. Debian packages: libimobiledevice's own tools prove our wire protocol in the interop tests; Debian's
//    chromium opens the extraction's report.html in the browser test (playwright-core drives it, downloads nothing).
const debianPackages = [
  ['idevice_id', 'libimobiledevice-utils'],
  ['iproxy', 'libusbmuxd-tools'],
  ['plistutil', 'libplist-utils'],
  ['sqlite3', 'sqlite3'],
  ['openssl', 'openssl'],
  ['chromium', 'chromium'],
  // libimobiledevice's own AFC client (the C library): Debian's 1.3.0 tools have no AFC command, so the AFC interop
  // test builds a small driver against it (test/interop/native/afc-tree.c).
  ['/usr/include/libimobiledevice/afc.h', 'libimobiledevice-dev'],
  ['pkg-config', 'pkg-config'],
  ['gcc', 'gcc'],
];
if (forTests) {
  const missing = debianPackages
    .filter(([need]) => !(need.startsWith('/') ? existsSync(need) : has(need)))
    .map(([, pkg]) => pkg);
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot && has('apt-get')) {
      say(`installing Debian packages: ${missing.join(' ')}`);
      run('apt-get', ['update', '-qq']);
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } else {
      say(`not installed: ${missing.join(' ')} — the tests that need them will be skipped.`);
      say(`install with: sudo apt-get install ${missing.join(' ')}`);
    }
  }
}

// 3. Build: the CLI and the benchmarks run from dist/.
say('building (tsc)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')]);
// The browser console (src/console-ui, DOM types): type-checked, then bundled into dist/console/ as npm run build does.
say('building the browser console (esbuild)');
run(process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(root, 'src', 'console-ui', 'tsconfig.json'),
]);
run(process.execPath, [join(root, 'scripts', 'build-console.mjs')]);

// 4. Before the tests: type-check them too (vitest strips types without checking them).
if (forTests) {
  say('type-checking the tests');
  run(process.execPath, [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '--noEmit',
    '-p',
    join(root, 'tsconfig.test.json'),
  ]);
}
