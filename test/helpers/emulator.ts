import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogLevel } from '../../src/logging.js';
import { startEmulator, type EmulatorOptions, type VirtualIphone } from '../../src/emulator/index.js';

export interface TestEmulator {
  emulator: VirtualIphone;
  /** UNIX socket of the virtual usbmuxd. */
  socketPath: string;
  /** Pair records, SystemBUID and the phones' files. */
  stateDir: string;
  /** UDIDs of the phones plugged in at start. */
  udids: string[];
  /** process.env plus USBMUXD_SOCKET_ADDRESS=UNIX:<socketPath>: pass to child processes (libimobiledevice tools). */
  env: NodeJS.ProcessEnv;
  /** Stops the emulator and removes the temp dir (not a stateDir the caller passed in). */
  stop(): Promise<void>;
}

/**
 * Starts an in-process virtual iPhone on a fresh temp socket and state dir. Pass `stateDir` to reuse the state
 * of an earlier run (restart tests); set IOSRESCUE_TEST_EMULATOR_LOG=debug to see what it does.
 *
 *   const emu = await startTestEmulator({ devices: 2 });
 *   afterAll(() => emu.stop());
 */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  // UNIX socket paths are limited to ~107 bytes: keep the temp dir short.
  const dir = await mkdtemp(join(tmpdir(), 'iosr-emu-'));
  const socketPath = join(dir, 'usbmuxd.sock');
  const stateDir = options.stateDir ?? join(dir, 'state');
  const level = process.env.IOSRESCUE_TEST_EMULATOR_LOG as LogLevel | undefined;
  const logger = options.logger ?? createLogger({ level: level ?? 'silent', pretty: false });
  let emulator: VirtualIphone;
  try {
    emulator = await startEmulator({ devices: 1, ...options, socketPath, stateDir, logger });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    emulator,
    socketPath,
    stateDir,
    udids: emulator.devices.map((device) => device.udid),
    env: { ...process.env, USBMUXD_SOCKET_ADDRESS: emulator.usbmuxdSocketAddress },
    async stop() {
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
