import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../src/cli/program.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI, as a user runs it (npm test builds it first). */
export const cliPath = join(repoRoot, 'dist/src/cli/main.js');
export const cliBuilt = existsSync(cliPath);

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion and returns its exit status and output (never throws on a non-zero status). */
export function runProgram(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(command, args, { env, timeout: timeoutMs }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The built CLI in a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<CommandResult> {
  return runProgram(process.execPath, [cliPath, ...args], env, timeoutMs);
}

/** The real commander program in-process (no build needed); returns what it printed and its exit status. */
export async function runCliInProcess(args: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string | Uint8Array) => (
    out.push(String(chunk)), true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    err.push(String(chunk)), true
  )) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'iosrescue', '--log-level', 'silent', ...args]);
  } catch {
    // commander's usage errors surface here; main.ts maps them to status 2.
    process.exitCode = 2;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout: out.join(''), stderr: err.join(''), status };
}
