import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Measured {
  seconds: number;
  /** Peak resident set of the whole process, from GNU time (kB → MB); null without /usr/bin/time. */
  peakRssMb: number | null;
  /** CPU seconds (user + system, all threads): on a busy machine the wall clock says more about the others. */
  cpuSeconds: number | null;
  status: number | null;
  stderr: string;
}

/**
 * Runs a whole process (start-up included) with stdout to a file, timing it and taking its peak RSS from GNU time
 * (`%M`, the maximum resident set in kB), so ours and each peer are measured the same way.
 */
export async function measure(command: string, args: string[], stdoutPath: string, cwd?: string): Promise<Measured> {
  const timeFile = `${stdoutPath}.time`;
  const out = openSync(stdoutPath, 'w');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, command, ...args], {
    cwd,
    stdio: ['ignore', out, 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 64_000) stderr += d.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  closeSync(out);
  let peakRssMb: number | null = null;
  let cpuSeconds: number | null = null;
  try {
    const [kb, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    if (Number.isFinite(kb)) peakRssMb = kb! / 1024;
    if (Number.isFinite(user) && Number.isFinite(system)) cpuSeconds = user! + system!;
  } catch {}
  return { seconds, peakRssMb, cpuSeconds, status, stderr };
}
