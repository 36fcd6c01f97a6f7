import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Keeps the layering of STYLE.md true without anyone remembering it: a layer imports only layers below it,
 * through their index.ts, protocol.ts or errors.ts; carve knows nothing of ours but errors.ts; services never
 * touch backup; the emulator uses plist, wire, backup (through their index.ts) and pure protocol files, never client
 * logic; only the demo operations (src/operations/demo*.ts) and the library entry (src/index.ts) reach the emulator,
 * the rest of src never does (tests and scripts/ may); the CLI imports only operations (the verbs it shares with the
 * daemon: operations/index.ts, or one verb's own top-level file so a command loads no other verb's code),
 * daemon/index.ts (the `daemon` command starts it), errors.ts, logging.ts, package-version.ts and its own files.
 */
const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

const RANK: Record<string, number> = {
  plist: 0,
  wire: 1,
  usbmux: 2,
  lockdown: 3,
  services: 4,
  backup: 4,
  carve: 4,
  extract: 5,
  operations: 6,
  emulator: 6,
  daemon: 7,
  cli: 8,
};
/** Top-level files every layer may use. */
const SHARED_FILES = new Set(['errors.ts', 'logging.ts', 'package-version.ts']);
const PUBLIC_ENTRY = /(^|\/)(index|protocol|errors)\.ts$/;
/** What the CLI may import of operations: its index.ts or one verb's own file, not a file in a folder below. */
const CLI_OPERATIONS_ENTRY = /^operations\/[^/]+\.ts$/;
/** The files outside src/emulator that may import it: the demo and the library entry that re-exports it. */
const EMULATOR_USERS = /^(index|operations\/demo[^/]*)\.ts$/;

function listSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listSources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Layer of a file: its first folder under src/, or null for the top-level files. */
function layerOf(path: string): string | null {
  const parts = relative(srcRoot, path).split(sep);
  return parts.length > 1 ? parts[0]! : null;
}

export function forbiddenImport(from: string, to: string): string | null {
  const fromLayer = layerOf(from);
  const toLayer = layerOf(to);
  const toRel = relative(srcRoot, to).split(sep).join('/');
  if (toLayer === null) {
    if (SHARED_FILES.has(toRel)) return null;
    return fromLayer === null ? null : `imports the top-level ${toRel}`;
  }
  // The CLI reaches the emulator only through operations/index.ts: its own rule below says so.
  if (toLayer === 'emulator' && fromLayer !== 'emulator' && fromLayer !== 'cli') {
    const fromRel = relative(srcRoot, from).split(sep).join('/');
    if (!EMULATOR_USERS.test(fromRel))
      return `only the demo (src/operations/demo*.ts) may use the emulator, not ${fromRel}`;
  }
  if (fromLayer === null || fromLayer === toLayer) {
    // services/<a> may not reach into services/<b>'s internals either.
    if (fromLayer === 'services' && toLayer === 'services') {
      const fromService = relative(srcRoot, from).split(sep)[1];
      const toService = toRel.split('/')[1];
      if (fromService !== toService && !PUBLIC_ENTRY.test(toRel)) return `reaches into services/${toService} internals`;
    }
    return null;
  }
  if (fromLayer === 'carve') return 'carve may import only src/errors.ts';
  if (fromLayer === 'services' && toLayer === 'backup')
    return 'services never import backup (use the BackupHost interface)';
  if (fromLayer === 'emulator') {
    if (/\/(protocol|errors)\.ts$/.test(toRel)) return null;
    if (!['plist', 'wire', 'backup'].includes(toLayer)) return `the emulator may not use client logic (${toRel})`;
    return PUBLIC_ENTRY.test(toRel) ? null : `the emulator imports ${toLayer} through its index.ts, not ${toRel}`;
  }
  // The CLI's one way into the daemon is daemon/index.ts (the `daemon` command starts it); jobs go over HTTP.
  // Into operations it may take one verb's top-level file (operations/carve-database.ts), so that `carve` does not
  // load the device, backup and daemon code the index brings; the folders under operations stay its internals.
  if (fromLayer === 'cli')
    return CLI_OPERATIONS_ENTRY.test(toRel) || toRel === 'daemon/index.ts'
      ? null
      : `the CLI imports only operations/*.ts, daemon/index.ts, errors.ts, logging.ts, package-version.ts and src/cli (${toRel})`;
  if (fromLayer === 'operations' && toLayer === 'emulator') {
    const fromRel = relative(srcRoot, from).split(sep).join('/');
    return /^operations\/demo[^/]*\.ts$/.test(fromRel) && PUBLIC_ENTRY.test(toRel)
      ? null
      : `only src/operations/demo*.ts may use the emulator (${toRel})`;
  }
  const fromRank = RANK[fromLayer];
  const toRank = RANK[toLayer];
  if (fromRank === undefined || toRank === undefined)
    return `unknown layer ${fromRank === undefined ? fromLayer : toLayer}`;
  if (toRank >= fromRank) return `${fromLayer} may not import ${toLayer} (same or higher layer)`;
  if (!PUBLIC_ENTRY.test(toRel)) return `imports ${toRel} instead of ${toLayer}'s index.ts or protocol.ts`;
  return null;
}

describe('architecture', () => {
  it('finds the layer rules broken by a forbidden import (the checker itself works)', () => {
    const at = (p: string): string => join(srcRoot, p);
    expect(forbiddenImport(at('plist/index.ts'), at('wire/index.ts'))).toMatch(/higher layer/);
    expect(forbiddenImport(at('carve/scan.ts'), at('plist/index.ts'))).toMatch(/carve/);
    expect(forbiddenImport(at('services/mobilebackup2/client.ts'), at('backup/index.ts'))).toMatch(/BackupHost/);
    expect(forbiddenImport(at('emulator/usbmuxd.ts'), at('usbmux/client.ts'))).toMatch(/client logic/);
    expect(forbiddenImport(at('emulator/usbmuxd.ts'), at('usbmux/protocol.ts'))).toBeNull();
    expect(forbiddenImport(at('operations/pair-device.ts'), at('lockdown/client.ts'))).toMatch(/index\.ts/);
    expect(forbiddenImport(at('operations/pair-device.ts'), at('lockdown/index.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/commands/info.ts'), at('emulator/index.ts'))).toMatch(/CLI imports only/);
    expect(forbiddenImport(at('cli/commands/info.ts'), at('plist/index.ts'))).toMatch(/CLI imports only/);
    expect(forbiddenImport(at('cli/commands/info.ts'), at('operations/device-info.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/commands/files.ts'), at('operations/browse/browse-items.ts'))).toMatch(
      /CLI imports only/,
    );
    expect(forbiddenImport(at('cli/commands/carve.ts'), at('carve/index.ts'))).toMatch(/CLI imports only/);
    expect(forbiddenImport(at('cli/commands/info.ts'), at('operations/index.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/commands/daemon.ts'), at('daemon/index.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/commands/daemon.ts'), at('daemon/engine.ts'))).toMatch(/CLI imports only/);
    expect(forbiddenImport(at('cli/commands/info.ts'), at('cli/run-command.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/run-command.ts'), at('logging.ts'))).toBeNull();
    expect(forbiddenImport(at('cli/run-command.ts'), at('errors.ts'))).toBeNull();
    expect(forbiddenImport(at('operations/demo.ts'), at('emulator/index.ts'))).toBeNull();
    expect(forbiddenImport(at('operations/backup-device.ts'), at('emulator/index.ts'))).toMatch(/demo\*/);
  });

  it('keeps the emulator apart: only the demo uses it, and it uses only plist, wire, backup and pure protocol files', () => {
    const at = (p: string): string => join(srcRoot, p);
    expect(forbiddenImport(at('backup/synthetic-backup.ts'), at('emulator/content/index.ts'))).toMatch(/only the demo/);
    expect(forbiddenImport(at('extract/pipeline.ts'), at('emulator/index.ts'))).toMatch(/only the demo/);
    expect(forbiddenImport(at('daemon/server.ts'), at('emulator/index.ts'))).toMatch(/only the demo/);
    expect(forbiddenImport(at('operations/backup-device.ts'), at('emulator/content/index.ts'))).toMatch(
      /only the demo/,
    );
    expect(forbiddenImport(at('cli/commands/demo.ts'), at('emulator/index.ts'))).toMatch(/CLI imports only/);
    expect(forbiddenImport(at('operations/demo-emulator.ts'), at('emulator/index.ts'))).toBeNull();
    expect(forbiddenImport(at('index.ts'), at('emulator/index.ts'))).toBeNull();
    expect(forbiddenImport(at('emulator/content/photos.ts'), at('backup/index.ts'))).toBeNull();
    expect(forbiddenImport(at('emulator/content/photos.ts'), at('backup/synthetic-content.ts'))).toMatch(
      /through its index\.ts/,
    );
    expect(forbiddenImport(at('emulator/services/afc.ts'), at('services/afc/protocol.ts'))).toBeNull();
    expect(forbiddenImport(at('emulator/services/afc.ts'), at('services/afc/client.ts'))).toMatch(/client logic/);
    expect(forbiddenImport(at('emulator/lockdownd.ts'), at('operations/index.ts'))).toMatch(/client logic/);
    expect(forbiddenImport(at('emulator/services/index.ts'), at('emulator/backup/agent.ts'))).toBeNull();
  });

  it('no source file imports a layer it may not', () => {
    const violations: string[] = [];
    for (const file of listSources(srcRoot)) {
      for (const target of importsOf(file)) {
        const why = forbiddenImport(file, target);
        if (why) violations.push(`${relative(srcRoot, file)} → ${relative(srcRoot, target)}: ${why}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
