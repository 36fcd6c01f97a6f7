import { silentLogger, type Logger } from '../logging.js';
import type { AttachedDevice, UsbmuxClient } from '../usbmux/index.js';
import { LockdownClient, type ServiceConnection } from './client.js';
import { LockdownError } from './errors.js';
import { PairRecordStore } from './pair-record-store.js';
import { findPairRecord, pairDevice, type PairOptions } from './pairing.js';
import type { PairRecord } from './protocol.js';

export interface SessionOptions extends Omit<PairOptions, 'store'> {
  label?: string;
  /** Pair when there is no record or the phone no longer knows ours (default true, as ideviceinfo does). */
  pairIfNeeded?: boolean;
  store?: PairRecordStore;
  timeoutMs?: number;
  logger?: Logger;
}

/** A lockdown connection with an open (TLS) session: what every service of the phone is started from. */
export interface LockdownSession {
  lockdown: LockdownClient;
  device: AttachedDevice;
  record: PairRecord;
  productVersion: string;
  startService(name: string, options?: { escrowBag?: Buffer }): Promise<ServiceConnection>;
  close(): Promise<void>;
}

/**
 * The handshake libimobiledevice's tools do (native-notes/protocols/lockdownd.md "The client handshake"):
 * QueryType, ProductVersion, pair record (pairing first when there is none), StartSession and the TLS upgrade. A
 * phone that forgot us (InvalidHostID: reset, or unpaired on the phone) is paired again when allowed.
 */
export async function openLockdownSession(
  usbmux: UsbmuxClient,
  device: AttachedDevice,
  options: SessionOptions = {},
): Promise<LockdownSession> {
  const logger = options.logger ?? silentLogger;
  const store = options.store ?? new PairRecordStore();
  const pairIfNeeded = options.pairIfNeeded ?? true;
  let lockdown = await LockdownClient.connect(usbmux, device, {
    label: options.label,
    timeoutMs: options.timeoutMs,
    logger,
  });
  try {
    await lockdown.queryType();
    const productVersion = String((await lockdown.tryGetValue({ key: 'ProductVersion' })) ?? '');
    let record = await findPairRecord(usbmux, device.udid, device.deviceId, store);
    if (!record) {
      if (!pairIfNeeded) throw notPaired(device);
      record = await pairDevice(lockdown, { ...options, store, logger });
    }
    try {
      await lockdown.startSession(record);
    } catch (error) {
      if (!(error instanceof LockdownError) || error.code !== 'InvalidHostID' || !pairIfNeeded) throw error;
      logger.info({ udid: device.udid }, 'the phone no longer knows this computer; pairing again');
      record = await pairDevice(lockdown, { ...options, store, logger });
      // A failed StartSession leaves the connection usable on real phones, but a fresh one is the safe path.
      await lockdown.close();
      lockdown = await LockdownClient.connect(usbmux, device, {
        label: options.label,
        timeoutMs: options.timeoutMs,
        logger,
      });
      await lockdown.startSession(record);
    }
    const session = lockdown;
    const sessionRecord = record;
    return {
      lockdown: session,
      device,
      record: sessionRecord,
      productVersion,
      startService: (name, serviceOptions) => session.startService(name, serviceOptions),
      close: () => session.close(),
    };
  } catch (error) {
    await lockdown.close();
    throw error;
  }
}

function notPaired(device: AttachedDevice): LockdownError {
  return new LockdownError(
    'LOCKDOWN_NOT_PAIRED',
    `this computer is not paired with ${device.udid}: run iosrescue pair -u ${device.udid}`,
  );
}
