import type { Command } from 'commander';
import { listDevices } from '../../operations/list-devices.js';
import { watchDevices } from '../../operations/watch-devices.js';
import { jsonReplacer, runCommand } from '../run-command.js';
import { addNoDaemonOption, daemonToUse } from './daemon-route.js';
import { cliDeviceAccess } from './device-options.js';

export function registerDevicesCommand(program: Command): void {
  const command = program
    .command('devices')
    .description(
      'list the phones attached to usbmuxd (UDID, name, model, iOS version); --watch follows plug and unplug',
    )
    .option('--watch', 'keep running and print a line per attach/detach/pair event until Ctrl-C', false)
    .addHelpText(
      'after',
      '\nExamples:\n  iosrescue devices\n  iosrescue devices --json | jq -r ".[].udid"\n  iosrescue devices --watch --json   # one JSON object per event\n\n' +
        'Name, model and iOS version are values every phone shows any computer: no pairing needed.\n' +
        "When an iosrescue daemon runs for this user, each phone also shows the daemon's state for it (backing-up,\n" +
        'waiting-for-trust, failed…) and its job; --no-daemon leaves the daemon out.',
    );
  addNoDaemonOption(command).action(async (flags: { watch: boolean; daemon: boolean }, command: Command) =>
    runCommand(command, async ({ logger, print, signal, globals }) => {
      const access = cliDeviceAccess(logger, signal);
      if (!flags.watch) {
        const attached = await listDevices(access);
        const daemon = await daemonToUse(flags, logger);
        const known = new Map((daemon ? await daemon.devices() : []).map((d) => [d.udid, d]));
        const devices = attached.map((d) => {
          const view = known.get(d.udid);
          return view
            ? { ...d, daemon: { state: view.state, message: view.message, jobId: view.jobId, error: view.error } }
            : d;
        });
        const human =
          devices.length === 0
            ? 'No phone attached.'
            : devices
                .map((d) => {
                  const view = known.get(d.udid);
                  const state = view
                    ? `  [daemon: ${view.state}${view.jobId ? `, job ${view.jobId}` : ''}${view.message ? ` — ${view.message}` : ''}]`
                    : '';
                  return `${d.udid}  ${d.connectionType.padEnd(7)} ${d.name ?? '?'} (${d.productType ?? '?'}, iOS ${d.productVersion ?? '?'})${state}`;
                })
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
