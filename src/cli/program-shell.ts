import { Command, Option } from 'commander';
import { packageVersion } from '../package-version.js';

/** The program without its commands: name, description, global options, version and the closing help text. */
export function createProgramShell(): Command {
  return new Command()
    .name('iosrescue')
    .description(
      'Get photos, messages, contacts and more back from an iPhone: pull a backup over USB, read and decrypt ' +
        'iTunes/Finder backups, recover deleted SQLite records. A built-in virtual iPhone lets you try everything ' +
        'without hardware: `iosrescue demo`.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--json', 'print results as JSON on stdout (logs stay on stderr)', false)
    .addOption(
      new Option('--log-level <level>', 'log detail').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option('--debug', 'show stack traces and debug logs', false)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      "\nRun `iosrescue <command> --help` for a command's options and examples.\n" +
        'Devices are reached through usbmuxd; set USBMUXD_SOCKET_ADDRESS=UNIX:/path/to.sock (or host:port) to use\n' +
        'another one, e.g. the virtual iPhone started by `iosrescue emulator --socket /tmp/iosrescue.sock`.\n' +
        'Exit status: 0 ok, 1 failure, 2 usage, 3 no device, 4 device refused, 5 timeout, 6 bad input,\n' +
        '7 wrong password, 8 connection lost, 9 no space, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).',
    );
}

/** Usage errors end with exit status 2 (see main.ts) instead of commander's default 1. */
export function finishProgram(program: Command): Command {
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}
