import type { Command } from 'commander';
import { applySummaries, COMMAND_TABLE, commandNamed } from './command-table.js';
import { createProgramShell, finishProgram } from './program-shell.js';

/**
 * The program for one run: only the module of the command `argv` names is loaded; without one (`--help`,
 * `--version`, a typo) every command is listed from COMMAND_TABLE and none is loaded. This file must stay free of
 * static imports of command modules: that is what keeps `iosrescue --help` as quick as starting Node.
 */
export async function buildProgramFor(argv: readonly string[]): Promise<Command> {
  const program = createProgramShell();
  const named = commandNamed(argv);
  if (named) {
    (await named.load())(program);
    applySummaries(program);
  } else {
    for (const entry of COMMAND_TABLE) {
      program
        .command(`${entry.name}${entry.args ? ` ${entry.args}` : ''}`)
        .summary(entry.summary)
        .allowUnknownOption()
        .helpOption(false);
    }
  }
  return finishProgram(program);
}
