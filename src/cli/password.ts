import { open } from 'node:fs/promises';
import { CliError } from './errors.js';

export interface PasswordOptions {
  /** Name of an environment variable holding the password. */
  passwordEnv?: string;
  /** File whose first line is the password (trailing newline stripped). */
  passwordFile?: string;
}

export interface PromptOptions {
  prompt: string;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WritableStream;
}

const MAX_PASSWORD_FILE = 64 * 1024;

function required(message: string): CliError {
  return new CliError('CLI_PASSWORD_REQUIRED', message);
}

/**
 * The backup password, from (in order) `--password-env VAR`, `--password-file F`, or a prompt on the terminal with
 * echo off. Never from argv (other users can read a process's arguments) and never logged.
 * Throws CLI_PASSWORD_REQUIRED when the named source is empty or when there is no source and stdin is no TTY.
 */
export async function readPassword(options: PasswordOptions, prompt: PromptOptions): Promise<string> {
  if (options.passwordEnv !== undefined) {
    const value = process.env[options.passwordEnv];
    if (value === undefined || value === '')
      throw required(`environment variable ${options.passwordEnv} is not set or empty`);
    return value;
  }
  if (options.passwordFile !== undefined) return readPasswordFile(options.passwordFile);
  const input = prompt.input ?? process.stdin;
  if (!input.isTTY)
    throw required(
      'this backup is encrypted: give --password-env VAR or --password-file FILE (stdin is not a terminal, so no prompt)',
    );
  return promptHidden(prompt.prompt, input, prompt.output ?? process.stderr);
}

async function readPasswordFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw required(
      `cannot read password file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    const buffer = Buffer.alloc(MAX_PASSWORD_FILE);
    const { bytesRead } = await handle.read(buffer, 0, MAX_PASSWORD_FILE, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    const newline = text.search(/\r?\n/);
    const line = newline === -1 ? text : text.slice(0, newline);
    if (line === '') throw required(`password file ${path} is empty`);
    return line;
  } finally {
    await handle.close();
  }
}

/** Reads one line in raw mode without echoing it; Ctrl-C aborts, Backspace edits. */
function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = input.isRaw;
    // Echo off before the question shows: keys typed as soon as it appears must not reach the screen.
    input.setRawMode(true);
    output.write(question);
    input.resume();
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliError('CLI_INTERRUPTED', 'interrupted'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
