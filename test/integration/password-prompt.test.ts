import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The password prompt on a real terminal: `script` (util-linux) gives the child a pseudo-terminal, so raw mode and
 * echo-off are the real thing, not a stubbed stream.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const passwordModule = join(repoRoot, 'dist/src/cli/password.js');
const haveScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
const ready = haveScript && existsSync(passwordModule);
if (!ready)
  console.warn('skipping the TTY password prompt test: needs `script` (util-linux) and a build (npm run build)');

async function typeAtPrompt(keys: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iosr-pty-'));
  const program = join(dir, 'ask.mjs');
  await writeFile(
    program,
    `import { readPassword } from ${JSON.stringify(passwordModule)};\n` +
      `const p = await readPassword({}, { prompt: 'Backup password: ' });\n` +
      `console.log('received=' + Buffer.from(p).toString('hex'));\n`,
  );
  try {
    const child = spawn('script', ['-qec', `${process.execPath} ${program}`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    // Type only once the prompt is on screen, as a person would.
    await new Promise<void>((ready) => {
      const check = (): void => (output.includes('Backup password:') ? ready() : void setTimeout(check, 20));
      check();
    });
    child.stdin.write(keys);
    await new Promise((done) => child.once('exit', done));
    return output;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!ready)('backup password prompt on a terminal', () => {
  it('reads the password without echoing it, and Backspace edits it', async () => {
    const output = await typeAtPrompt('s3cr3x\x7ft\r');
    expect(output).toContain(`received=${Buffer.from('s3cr3t').toString('hex')}`);
    expect(output).not.toContain('s3cr3');
  });

  it('Ctrl-C at the prompt aborts instead of returning a password', async () => {
    const output = await typeAtPrompt('abc\x03');
    expect(output).not.toContain('received=');
  });
});
