#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // commander has already printed the message (or the help); usage errors get their own status.
      const benign = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
      process.exitCode = benign ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    process.stderr.write(`iosrescue: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.FAILURE;
  });
