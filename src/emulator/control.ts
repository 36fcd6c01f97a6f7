import { chmod } from 'node:fs/promises';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { silentLogger, type Logger } from '../logging.js';
import { parseControlCommand, type ControlCommand } from './control-protocol.js';
import type { VirtualIphone } from './emulator.js';
import { EmulatorError } from './errors.js';

export interface ControlServer {
  socketPath: string;
  close(): Promise<void>;
}

/** The longest line a control client may send: commands are tiny, and a peer that never ends a line is cut off. */
const MAX_LINE = 4096;

/**
 * Serves the control protocol (control-protocol.ts) on a UNIX socket (0600: whoever can plug phones in can also
 * reach them). Commands from all connections run one at a time, in order.
 */
export async function startControlServer(
  emulator: VirtualIphone,
  socketPath: string,
  logger: Logger = silentLogger,
): Promise<ControlServer> {
  /** Phones unplugged through this server, by UDID, so {"plug": {"udid": …}} can plug them in again. */
  const unplugged = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = chunk.includes(10) ? chunk.length - chunk.lastIndexOf(10) - 1 : pending + chunk.length;
      if (pending > MAX_LINE) socket.destroy();
    });
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      queue = queue.then(async () => {
        let reply: Record<string, unknown>;
        try {
          reply = { ok: true, ...(await run(emulator, parseControlCommand(line), unplugged)) };
        } catch (error) {
          const code = error instanceof EmulatorError ? error.code : 'EMULATOR_BAD_OPTION';
          reply = { ok: false, code, message: (error as Error).message };
        }
        logger.info({ command: line.slice(0, 200), ok: reply.ok }, 'control command');
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new EmulatorError('EMULATOR_LISTEN_FAILED', `cannot listen on ${socketPath}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return {
    socketPath,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function run(
  emulator: VirtualIphone,
  command: ControlCommand,
  unplugged: Map<string, number>,
): Promise<Record<string, unknown>> {
  switch (command.op) {
    case 'plug': {
      const plugged: string[] = [];
      for (let i = 0; i < command.count; i++) plugged.push((await emulator.addDevice()).udid);
      return { plugged };
    }
    case 'replug': {
      const index = command.udid !== undefined ? unplugged.get(command.udid) : command.index;
      if (index === undefined)
        throw new EmulatorError('EMULATOR_NO_DEVICE', `${command.udid} was not unplugged through this control socket`);
      const device = await emulator.addDevice({ index });
      unplugged.delete(device.udid);
      return { plugged: [device.udid] };
    }
    case 'unplug': {
      const index = emulator.indexOf(command.udid);
      emulator.removeDevice(command.udid);
      if (index !== undefined) unplugged.set(command.udid, index);
      return { unplugged: command.udid };
    }
    case 'restart-usbmuxd':
      await emulator.restartUsbmuxd(command.downMs);
      return { restarted: true };
    case 'trust':
      emulator.setTrust(command.udid, command.mode);
      return { udid: command.udid, trust: command.mode };
    case 'list':
      return {
        devices: emulator.devices.map((device) => ({
          udid: device.udid,
          name: device.name,
          index: emulator.indexOf(device.udid),
        })),
      };
  }
}
