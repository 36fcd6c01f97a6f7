import type { Command } from 'commander';
import { pairWithDevice, unpairDevice, validatePairing, type PairingResult } from '../../operations/pair-device.js';
import { runCommand } from '../run-command.js';
import { addUdidOption, cliDeviceAccess } from './device-options.js';

export function registerPairCommands(program: Command): void {
  addUdidOption(
    program
      .command('pair')
      .description('pair with the phone: it shows "Trust This Computer?"; unlock it and tap Trust')
      .option('--timeout <SECONDS>', 'how long to wait for someone to tap Trust', '120'),
  )
    .addHelpText(
      'after',
      '\nThe pair record is stored through usbmuxd (shared with Finder/iTunes/libimobiledevice) and, owner-only, in\n~/.config/iosrescue/pair-records (or $IOSRESCUE_HOME/pair-records).\n',
    )
    .action(async (flags: { udid?: string; timeout: string }, command: Command) =>
      runCommand(command, async ({ logger, print, signal }) => {
        const result = await pairWithDevice(cliDeviceAccess(logger, signal), flags.udid, {
          timeoutMs: Number(flags.timeout) * 1000,
        });
        print(`Paired with ${result.udid} (HostID ${result.hostId}).`, result);
      }),
    );

  addUdidOption(
    program
      .command('validate')
      .description("check that this computer's pairing with the phone works (opens a TLS session)"),
  ).action(async (flags: { udid?: string }, command: Command) =>
    runCommand(command, async ({ logger, print, signal }) => {
      const result: PairingResult = await validatePairing(cliDeviceAccess(logger, signal), flags.udid);
      print(`Pairing with ${result.udid} is valid (HostID ${result.hostId}).`, { ...result, valid: true });
    }),
  );

  addUdidOption(
    program.command('unpair').description('make the phone forget this computer and delete the pair record'),
  ).action(async (flags: { udid?: string }, command: Command) =>
    runCommand(command, async ({ logger, print, signal }) => {
      const result = await unpairDevice(cliDeviceAccess(logger, signal), flags.udid);
      print(`Unpaired from ${result.udid}.`, result);
    }),
  );
}
