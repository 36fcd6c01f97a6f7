import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../logging.js';
import { parsePlist } from '../plist/index.js';
import type { UsbmuxClient } from '../usbmux/index.js';
import { createPairingCertificates, generateHostId, type SignatureHash } from '../wire/index.js';
import type { LockdownClient } from './client.js';
import { LockdownError } from './errors.js';
import type { PairRecordStore } from './pair-record-store.js';
import { pairRecordFromPlist, pairRecordToPlist, type PairRecord } from './protocol.js';

export interface PairOptions {
  store?: PairRecordStore;
  /** How long to wait for someone to tap Trust (default 120 s). */
  timeoutMs?: number;
  /** Pause between Pair attempts while the Trust dialog is up. */
  retryMs?: number;
  /** Called once per wait, with a sentence for the person holding the phone. */
  onWaiting?: (message: string) => void;
  signal?: AbortSignal;
  signatureHash?: SignatureHash;
  logger?: Logger;
}

export const TRUST_PROMPT = 'Unlock the phone and tap "Trust" on the "Trust This Computer?" dialog';

/**
 * Pairs as iTunes and libimobiledevice do: certificates made here for the phone's public key, Pair sent (private
 * keys never leave), retried while the phone shows its Trust dialog, then the record (with the phone's EscrowBag
 * and Wi-Fi address) saved through usbmuxd and in our own store.
 */
export async function pairDevice(lockdown: LockdownClient, options: PairOptions = {}): Promise<PairRecord> {
  const logger = options.logger ?? silentLogger;
  const usbmux = lockdown.usbmux;
  const device = lockdown.device;
  const devicePublicKey = await lockdown.getValue({ key: 'DevicePublicKey' });
  if (!Buffer.isBuffer(devicePublicKey))
    throw new LockdownError('LOCKDOWN_BAD_REPLY', 'the phone gave no DevicePublicKey');
  const systemBuid = await usbmux.readBuid();
  const certificates = await createPairingCertificates(devicePublicKey, { signatureHash: options.signatureHash });
  // Read before Pair: iOS 7 drops the connection right after pairing.
  const wifiAddress = await lockdown.tryGetValue({ key: 'WiFiAddress' });
  const record: PairRecord = {
    HostID: generateHostId(),
    SystemBUID: systemBuid,
    DeviceCertificate: Buffer.from(certificates.deviceCertificatePem),
    HostCertificate: Buffer.from(certificates.hostCertificatePem),
    HostPrivateKey: Buffer.from(certificates.hostPrivateKeyPem),
    RootCertificate: Buffer.from(certificates.rootCertificatePem),
    RootPrivateKey: Buffer.from(certificates.rootPrivateKeyPem),
  };

  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const escrowBag = await lockdown.pair(record);
      if (escrowBag) record.EscrowBag = escrowBag;
      break;
    } catch (error) {
      if (!(error instanceof LockdownError) || error.code !== 'PairingDialogResponsePending') throw error;
      if (!announced) {
        options.onWaiting?.(TRUST_PROMPT);
        logger.info({ udid: device.udid }, 'waiting for the Trust dialog on the phone');
        announced = true;
      }
      if (Date.now() - started >= timeoutMs) {
        throw new LockdownError(
          'LOCKDOWN_PAIRING_TIMEOUT',
          `nobody tapped Trust on the phone within ${Math.round(timeoutMs / 1000)} s; unlock it, tap Trust, and pair again`,
        );
      }
      await sleep(options.retryMs ?? 1000, undefined, { signal: options.signal });
    }
  }
  if (typeof wifiAddress === 'string') record.WiFiMACAddress = wifiAddress;
  await usbmux.savePairRecord(device.udid, device.deviceId, pairRecordToPlist(record));
  await options.store?.write(device.udid, record);
  logger.info({ udid: device.udid, hostId: record.HostID }, 'paired');
  return record;
}

/**
 * The pair record for a phone: usbmuxd's first (it may be Finder's, iTunes' or idevicepair's), else ours — which
 * is then handed back to usbmuxd so every other client can use it too.
 */
export async function findPairRecord(
  usbmux: UsbmuxClient,
  udid: string,
  deviceId: number,
  store?: PairRecordStore,
): Promise<PairRecord | undefined> {
  const fromUsbmux = await usbmux.readPairRecord(udid);
  if (fromUsbmux) {
    const record = pairRecordFromPlist(parsePlist(fromUsbmux));
    // Keep our copy current, so the record survives a wiped usbmuxd store.
    if (store && !(await store.read(udid).catch(() => undefined))) await store.write(udid, record);
    return record;
  }
  const fromStore = await store?.read(udid);
  if (fromStore) await usbmux.savePairRecord(udid, deviceId, pairRecordToPlist(fromStore));
  return fromStore;
}
