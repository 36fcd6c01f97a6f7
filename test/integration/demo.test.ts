import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    // Then it saves everything into a folder it names, and the report page to browse it.
    const out = /Saving everything into (\S+) /.exec(result.stdout)?.[1];
    expect(out, 'the demo names its output folder').toBeDefined();
    try {
      const extraction = JSON.parse(readFileSync(join(out!, 'extraction.json'), 'utf8')) as {
        types: Array<{ type: string; status: string; records: number }>;
      };
      expect(extraction.types.find((t) => t.type === 'contacts')).toMatchObject({ status: 'ok' });
      expect(extraction.types.find((t) => t.type === 'contacts')!.records).toBeGreaterThanOrEqual(12);
      expect(result.stdout).toMatch(/contacts\s+\d+ records/);
      expect(result.stdout).toContain(`${pathToFileURL(join(out!, 'report.html')).href}`);
      expect(existsSync(join(out!, 'report.html'))).toBe(true);
      // It ends by offering the browser console, with the commands that open it.
      expect(result.stdout).toContain('iosrescue daemon --listen 127.0.0.1:8080');
      expect(result.stdout).toMatch(/iosrescue console\s/);
    } finally {
      rmSync(out!, { recursive: true, force: true });
    }
  });

  it('gives the same facts as JSON for scripts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'iosrescue-demo-test-'));
    const result = await run(['--json', 'demo', '--trust-delay', '0', '--out', out]);
    rmSync(out, { recursive: true, force: true });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { device: { udid: string }; values: Record<string, unknown> };
    expect(summary.values).toMatchObject({
      ProductVersion: '16.7.2',
      UniqueDeviceID: summary.device.udid,
      WillEncrypt: false,
    });
    expect(typeof summary.values.BatteryCurrentCapacity).toBe('number');
    const withBackup = summary as unknown as {
      backup: { full: boolean; files: number; encrypted: boolean };
      scan: Array<{ type: string; records: number }>;
    };
    expect(withBackup.backup).toMatchObject({ full: true, encrypted: false });
    expect(withBackup.backup.files).toBeGreaterThan(20);
    expect(withBackup.scan.find((t) => t.type === 'contacts')?.records).toBe(12);
    const withReport = summary as unknown as {
      extraction: { out: string; types: Array<{ type: string; status: string }> };
      report: string | null;
    };
    expect(withReport.extraction.out).toBe(out);
    expect(withReport.extraction.types.filter((t) => t.status === 'failed')).toEqual([]);
    expect(withReport.report).toBe(join(out, 'report.html'));
  });
});
