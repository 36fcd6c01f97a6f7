import type { Command } from 'commander';
import {
  backupEncryptionStatus,
  changeBackupEncryption,
  type EncryptionChange,
} from '../../operations/backup-encryption.js';
import { readPassword, type PasswordOptions } from '../password.js';
import { CliUsageError, runCommand } from '../run-command.js';
import { addNoDaemonOption, daemonDeviceFor, daemonToUse, refuseIfDaemonBusy, runDaemonJob } from './daemon-route.js';
import { addUdidOption, cliDeviceAccess } from './device-options.js';

interface EncryptionFlags {
  udid?: string;
  passwordEnv?: string;
  passwordFile?: string;
  newPasswordEnv?: string;
  newPasswordFile?: string;
  daemon: boolean;
}

/** A password from the named source, else a hidden prompt; without a terminal that is a usage error naming the options.
 * */
async function password(source: PasswordOptions, prompt: string, options: string): Promise<string> {
  if (source.passwordEnv === undefined && source.passwordFile === undefined && !process.stdin.isTTY) {
    throw new CliUsageError(`no terminal to ask for the ${prompt.toLowerCase().replace(/: $/, '')}: give ${options}`);
  }
  return readPassword(source, { prompt });
}

async function typedTwice(source: PasswordOptions, prompt: string, options: string): Promise<string> {
  const first = await password(source, prompt, options);
  if (source.passwordEnv !== undefined || source.passwordFile !== undefined) return first;
  const second = await password(source, 'Repeat it: ', options);
  if (first !== second) throw new CliUsageError('the two passwords differ; nothing was changed');
  return first;
}

export function registerEncryptionCommand(program: Command): void {
  const command = addUdidOption(
    program
      .command('encryption')
      .description(
        "show or change the phone's backup encryption (on, off, or a new password); passwords are never taken from the command line",
      )
      .argument('<action>', 'status | on | off | change')
      .option(
        '--password-env <VAR>',
        'the backup password (the new one for "on", the current one for "off" and "change") from this environment variable',
      )
      .option('--password-file <FILE>', 'the same, from the first line of this file')
      .option('--new-password-env <VAR>', '"change": the new password from this environment variable')
      .option('--new-password-file <FILE>', '"change": the new password from the first line of this file'),
  );
  addNoDaemonOption(command)
    .addHelpText(
      'after',
      '\nWithout a password option the password is asked for on the terminal (twice for a new one).\n' +
        'When an iosrescue daemon runs for this user, on/off/change become a daemon job (the passwords go to it in\n' +
        'the request, held in its memory for that job only); --no-daemon runs it here.\n' +
        'The phone may ask for its passcode to confirm.\n\nExamples:\n  iosrescue encryption status\n' +
        '  IOSRESCUE_PW=secret iosrescue encryption on --password-env IOSRESCUE_PW\n  iosrescue encryption change\n',
    )
    .action(async (action: string, flags: EncryptionFlags, command: Command) =>
      runCommand(command, async ({ logger, print, signal }) => {
        const access = cliDeviceAccess(logger, signal);
        const current = { passwordEnv: flags.passwordEnv, passwordFile: flags.passwordFile };
        const fresh = { passwordEnv: flags.newPasswordEnv, passwordFile: flags.newPasswordFile };
        let change: EncryptionChange;
        if (action === 'status') {
          const { udid, encrypted } = await backupEncryptionStatus(access, flags.udid);
          print(`Backup encryption is ${encrypted ? 'on' : 'off'} for ${udid}`, { udid, encrypted });
          return;
        } else if (action === 'on') {
          change = {
            action,
            newPassword: await typedTwice(
              current,
              'New backup password: ',
              '--password-env VAR or --password-file FILE',
            ),
          };
        } else if (action === 'off') {
          change = {
            action,
            oldPassword: await password(
              current,
              'Current backup password: ',
              '--password-env VAR or --password-file FILE',
            ),
          };
        } else if (action === 'change') {
          const oldPassword = await password(
            current,
            'Current backup password: ',
            '--password-env VAR or --password-file FILE',
          );
          change = {
            action,
            oldPassword,
            newPassword: await typedTwice(
              fresh,
              'New backup password: ',
              '--new-password-env VAR or --new-password-file FILE',
            ),
          };
        } else {
          throw new CliUsageError(`unknown action "${action}": use status, on, off or change`);
        }
        const daemon = await daemonToUse(flags, logger);
        if (daemon) {
          const udid = await daemonDeviceFor(daemon, flags.udid);
          const job = await runDaemonJob(
            daemon,
            { type: 'encryption', udid, ...change },
            { signal, onMessage: (message) => process.stderr.write(`${message}\n`) },
          );
          const encrypted = job.result?.encrypted === true;
          print(`Backup encryption is now ${encrypted ? 'on' : 'off'} for ${udid}`, { udid, encrypted });
          return;
        }
        if (flags.daemon === false) await refuseIfDaemonBusy(flags.udid);
        const { udid, encrypted } = await changeBackupEncryption(access, change, {
          udid: flags.udid,
          onWaiting: (message) => process.stderr.write(`${message}…\n`),
        });
        print(`Backup encryption is now ${encrypted ? 'on' : 'off'} for ${udid}`, { udid, encrypted });
      }),
    );
}
