import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The README's first command ends in `iosrescue demo`: it must work on its own, with no phone and no usbmuxd. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(repoRoot, 'dist/src/cli/main.js');
const built = existsSync(cli);
if (!built) console.warn(`skipping the demo test: ${cli} is missing (run npm run build)`);

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env, USBMUXD_SOCKET_ADDRESS: 'UNIX:/nonexistent/usbmuxd' };
    execFile(process.execPath, [cli, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!built)('iosrescue demo', () => {
  it('starts the virtual iPhone, waits through its Trust dialog, pairs and shows its values', async () => {
    const result = await run(['demo', '--trust-delay', '1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tap "Trust"');
    expect(result.stdout).toMatch(/ProductVersion\s+16\.7\.2/);
    expect(result.stdout).toMatch(/SerialNumber\s+\S+/);
    // It pulls a backup over mobilebackup2, says what it waits for, and scans what came back.
    expect(result.stdout).toContain('the phone is preparing the backup');
    expect(result.stdout).toMatch(/Backup complete: \d+ files/);
    expect(result.stdout).toMatch(/messages\s+60\s+\(2 recently deleted/);
  });

  it('gives the same facts as JSON for scripts', async () => {
    const result = await run(['--json', 'demo', '--trust-delay', '0']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { device: { udid: string }; values: Record<string, unknown> };
    expect(summary.values).toMatchObject({ ProductVersion: '16.7.2', UniqueDeviceID: summary.device.udid, WillEncrypt: false });
    expect(typeof summary.values.BatteryCurrentCapacity).toBe('number');
    const withBackup = summary as unknown as { backup: { full: boolean; files: number; encrypted: boolean }; scan: Array<{ type: string; count: number }> };
    expect(withBackup.backup).toMatchObject({ full: true, encrypted: false });
    expect(withBackup.backup.files).toBeGreaterThan(20);
    expect(withBackup.scan.find((t) => t.type === 'contacts')?.count).toBe(12);
  });
});
