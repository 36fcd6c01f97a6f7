#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { buildProgramFor } from './lazy-program.js';

// `iosrescue files … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

buildProgramFor(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // commander has already printed the message (or the help); usage errors get their own status.
      const benign =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version';
      process.exitCode = benign ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    process.stderr.write(`iosrescue: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.FAILURE;
  });
