import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  formatTrustMode,
  parseTrustMode,
  startControlServer,
  startEmulator,
  type VirtualDevice,
  type VirtualIphone,
} from '../../operations/index.js';
import { CliUsageError, runCommand, type CommandContext } from '../run-command.js';
import {
  addEmulatorBackupOptions,
  emulatorBackupConfig,
  emulatorIdentity,
  type EmulatorBackupFlags,
} from './emulator-backup-options.js';

interface EmulatorCommandOptions extends EmulatorBackupFlags {
  socket?: string;
  tcp?: string;
  devices: string;
  stateDir?: string;
  trust: string;
  seed: string;
  control?: string;
}

export function registerEmulatorCommand(program: Command): void {
  const command = program
    .command('emulator')
    .description(
      'run virtual iPhones behind a virtual usbmuxd, for iosrescue, libimobiledevice tools and lab automation',
    )
    .option('--socket <path>', `UNIX socket to serve usbmuxd on (default ${defaultSocket()} unless --tcp is given)`)
    .option('--tcp <host:port>', 'serve usbmuxd on a loopback TCP address too (port 0 picks one)')
    .option('--devices <n>', 'phones plugged in at start (up to 64)', '1')
    .option(
      '--control <path>',
      'also take JSON-line commands on this UNIX socket: {"plug": n}, {"unplug": UDID}, {"restart-usbmuxd": true}, {"list": true}',
    )
    .option('--state-dir <dir>', `where pair records and the phones' state are kept (default ${defaultStateDir()})`)
    .option(
      '--trust <mode>',
      'what the phones do with "Trust This Computer?": accept, deny, pending:SECONDS, locked',
      'accept',
    )
    .option(
      '--seed <text>',
      'phones without saved state get identities from this seed (same seed, same UDIDs)',
      'default',
    );
  addEmulatorBackupOptions(command)
    .addHelpText(
      'after',
      '\nWhile it runs, type on stdin: add | remove <UDID> | trust <UDID> <mode> | list\n' +
        'Example: iosrescue emulator --socket /tmp/iosrescue.sock --devices 2\n' +
        '         USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/iosrescue.sock idevice_id -l\n' +
        '         iosrescue emulator --content generated:files=200000,bytes=1G   (a big phone for benchmarks)\n' +
        '         iosrescue emulator --content sample:ios=5 --state-dir /tmp/ios5   (an iPhone 4S on iOS 5.1.1)\n' +
        '         iosrescue emulator --fail-after-bytes 1000000                   (every backup loses its cable after 1 MB)\n' +
        '         iosrescue emulator --devices 16 --control /tmp/emu-control.sock   (a lab script plugs phones in and out:)\n' +
        '         echo \'{"unplug": "<UDID>"}\' | socat - UNIX-CONNECT:/tmp/emu-control.sock',
    )
    .action(async (options: EmulatorCommandOptions, command: Command) => {
      await runCommand(command, (context) => runEmulator(options, context));
    });
}

async function runEmulator(options: EmulatorCommandOptions, context: CommandContext): Promise<void> {
  const devices = Number(options.devices);
  if (!Number.isInteger(devices) || devices < 0 || devices > 64)
    throw new CliUsageError('--devices must be a whole number from 0 to 64');
  const trust = parseTrustModeOption(options.trust);
  const tcp = options.tcp ? parseTcp(options.tcp) : undefined;
  const backup = emulatorBackupConfig(options);
  const socketPath = options.socket ? resolve(options.socket) : tcp ? undefined : defaultSocket();
  const emulator = await startEmulator({
    socketPath,
    tcp,
    devices,
    stateDir: resolve(options.stateDir ?? defaultStateDir()),
    seed: options.seed,
    trust,
    backup,
    identity: emulatorIdentity(options),
    logger: context.logger,
  });
  const control = options.control
    ? await startControlServer(emulator, resolve(options.control), context.logger)
    : undefined;
  try {
    context.print(startedText(emulator), {
      event: 'started',
      socketPath: emulator.socketPath ?? null,
      tcp: emulator.tcp ?? null,
      USBMUXD_SOCKET_ADDRESS: emulator.usbmuxdSocketAddress,
      controlSocket: control?.socketPath ?? null,
      devices: emulator.devices.map((device) => describeDevice(emulator, device)),
    });
    const lines = createInterface({ input: process.stdin, terminal: false });
    lines.on('line', (line) => {
      handleLine(emulator, line.trim(), context).catch((error: unknown) =>
        context.print(`error: ${(error as Error).message}`, { event: 'error', message: (error as Error).message }),
      );
    });
    await new Promise<void>((done) => {
      if (context.signal.aborted) done();
      else context.signal.addEventListener('abort', () => done(), { once: true });
    });
    lines.close();
  } finally {
    await control?.close();
    await emulator.stop();
  }
}

/** The lab's console: one command per stdin line. */
async function handleLine(emulator: VirtualIphone, line: string, context: CommandContext): Promise<void> {
  const [verb, ...args] = line.split(/\s+/);
  if (!verb) return;
  switch (verb) {
    case 'add': {
      const device = await emulator.addDevice();
      context.print(`added ${device.udid} ${device.name}`, {
        event: 'added',
        device: describeDevice(emulator, device),
      });
      return;
    }
    case 'remove': {
      const udid = args[0] ?? '';
      emulator.removeDevice(udid);
      context.print(`removed ${udid}`, { event: 'removed', udid });
      return;
    }
    case 'trust': {
      const [udid = '', mode = ''] = args;
      emulator.setTrust(udid, mode);
      context.print(`trust ${udid} ${mode}`, {
        event: 'trust',
        udid,
        trust: formatTrustMode(emulator.device(udid).trust.current),
      });
      return;
    }
    case 'list':
      context.print(
        emulator.devices.map((device) => deviceLine(emulator, device)).join('\n') || '(no phones plugged in)',
        {
          event: 'list',
          devices: emulator.devices.map((device) => describeDevice(emulator, device)),
        },
      );
      return;
    default:
      context.print('commands: add | remove <UDID> | trust <UDID> <accept|deny|pending:SECONDS|locked> | list', {
        event: 'error',
        message: `unknown command ${verb}`,
      });
  }
}

function startedText(emulator: VirtualIphone): string {
  const where = [emulator.socketPath, emulator.tcp && `${emulator.tcp.host}:${emulator.tcp.port}`]
    .filter(Boolean)
    .join(' and ');
  return [
    `Virtual usbmuxd listening on ${where}`,
    ...emulator.devices.map((device) => `  ${deviceLine(emulator, device)}`),
    'Point clients at it with:',
    `  export USBMUXD_SOCKET_ADDRESS=${emulator.usbmuxdSocketAddress}`,
    'Type add, remove <UDID>, trust <UDID> <mode> or list; Ctrl-C stops.',
  ].join('\n');
}

function deviceLine(emulator: VirtualIphone, device: VirtualDevice): string {
  const d = describeDevice(emulator, device);
  return `${d.udid}  ${d.name}  (${d.productType}, iOS ${d.productVersion}, trust ${d.trust})`;
}

function describeDevice(
  emulator: VirtualIphone,
  device: VirtualDevice,
): {
  udid: string;
  deviceId: number;
  name: string;
  productType: string;
  productVersion: string;
  trust: string;
} {
  return {
    udid: device.udid,
    deviceId: emulator.deviceId(device.udid),
    name: device.name,
    productType: String(device.getValue(undefined, 'ProductType')),
    productVersion: device.productVersion,
    trust: formatTrustMode(device.trust.current),
  };
}

function parseTrustModeOption(text: string): string {
  try {
    parseTrustMode(text);
    return text;
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

function parseTcp(text: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535)
    throw new CliUsageError(`--tcp wants HOST:PORT on loopback, e.g. 127.0.0.1:27015 (got "${text}")`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function defaultSocket(): string {
  return join(tmpdir(), 'iosrescue-usbmuxd.sock');
}

function defaultStateDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'iosrescue', 'emulator');
}
