import type { Command } from 'commander';
import type { Logger } from '../../logging.js';
import { defaultDeviceAccess, type DeviceAccess } from '../../operations/device-access.js';

/** `-u, --udid`: optional with one phone attached, required (and listed in the error) with several. */
export function addUdidOption(command: Command): Command {
  return command.option('-u, --udid <UDID>', 'the phone to use (optional when only one is attached)');
}

/** Device access for a command: the usbmuxd from USBMUXD_SOCKET_ADDRESS, prompts for the person on stderr. */
export function cliDeviceAccess(logger: Logger, signal: AbortSignal): DeviceAccess {
  return defaultDeviceAccess(logger, {
    signal,
    onWaiting: (message) => process.stderr.write(`${message}…\n`),
  });
}
