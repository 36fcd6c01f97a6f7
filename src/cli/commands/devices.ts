import type { Command } from 'commander';
import { listDevices, watchDevices } from '../../operations/index.js';
import { jsonReplacer, runCommand } from '../run-command.js';
import { cliDeviceAccess } from './device-options.js';

export function registerDevicesCommand(program: Command): void {
  program
    .command('devices')
    .description(
      'list the phones attached to usbmuxd (UDID, name, model, iOS version); --watch follows plug and unplug',
    )
    .option('--watch', 'keep running and print a line per attach/detach/pair event until Ctrl-C', false)
    .addHelpText(
      'after',
      '\nExamples:\n  iosrescue devices\n  iosrescue devices --json | jq -r ".[].udid"\n  iosrescue devices --watch --json   # one JSON object per event\n\n' +
        'Name, model and iOS version are values every phone shows any computer: no pairing needed.',
    )
    .action(async (flags: { watch: boolean }, command: Command) =>
      runCommand(command, async ({ logger, print, signal, globals }) => {
        const access = cliDeviceAccess(logger, signal);
        if (!flags.watch) {
          const devices = await listDevices(access);
          const human =
            devices.length === 0
              ? 'No phone attached.'
              : devices
                  .map(
                    (d) =>
                      `${d.udid}  ${d.connectionType.padEnd(7)} ${d.name ?? '?'} (${d.productType ?? '?'}, iOS ${d.productVersion ?? '?'})`,
                  )
                  .join('\n');
          print(human, devices);
          return;
        }
        for await (const event of watchDevices(access)) {
          if (globals.json) process.stdout.write(`${JSON.stringify(event, jsonReplacer)}\n`);
          else
            process.stdout.write(
              `${event.at}  ${event.event.padEnd(8)} ${event.udid ?? `device ${event.deviceId}`}${event.connectionType ? ` (${event.connectionType})` : ''}\n`,
            );
        }
      }),
    );
}
