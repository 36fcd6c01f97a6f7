import type { Command } from 'commander';
import { applySummaries } from './command-table.js';
import { registerCommands } from './commands/index.js';
import { createProgramShell, finishProgram } from './program-shell.js';

/** Every command loaded at once: for tests and library users that drive the CLI in-process. */
export function buildProgram(): Command {
  const program = createProgramShell();
  registerCommands(program);
  applySummaries(program);
  return finishProgram(program);
}
