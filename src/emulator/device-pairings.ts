/** The hosts a virtual phone trusts, as it keeps them in `<stateDir>/<UDID>/pairings.plist`. */
import { randomBytes } from 'node:crypto';
import { isPlistDict, type PlistDict } from '../plist/index.js';

/** What the phone remembers about a host it trusts (the public half of the host's pair record, and its escrow bag). */
export interface DevicePairing {
  hostId: string;
  systemBuid: string;
  deviceCertificate: Buffer;
  hostCertificate: Buffer;
  rootCertificate: Buffer;
  /** Handed to the host in the Pair reply; StartService with it works while the phone is locked. */
  escrowBag: Buffer;
  wifiMacAddress?: string;
  pairedAt: Date;
}

export function newEscrowBag(): Buffer {
  // Real escrow bags are keybag blobs of a few hundred bytes; the host only stores and returns it.
  return randomBytes(48);
}

export function encodePairings(pairings: Map<string, DevicePairing>): PlistDict {
  const out: PlistDict = {};
  for (const p of pairings.values()) {
    const entry: PlistDict = {
      HostID: p.hostId,
      SystemBUID: p.systemBuid,
      DeviceCertificate: p.deviceCertificate,
      HostCertificate: p.hostCertificate,
      RootCertificate: p.rootCertificate,
      EscrowBag: p.escrowBag,
      PairedAt: p.pairedAt,
    };
    if (p.wifiMacAddress) entry.WiFiMACAddress = p.wifiMacAddress;
    out[p.hostId] = entry;
  }
  return out;
}

export function decodePairings(saved: PlistDict | undefined): Map<string, DevicePairing> {
  const pairings = new Map<string, DevicePairing>();
  for (const entry of Object.values(saved ?? {})) {
    if (!isPlistDict(entry) || typeof entry.HostID !== 'string') continue;
    const { DeviceCertificate, HostCertificate, RootCertificate, EscrowBag } = entry;
    if (
      !Buffer.isBuffer(DeviceCertificate) ||
      !Buffer.isBuffer(HostCertificate) ||
      !Buffer.isBuffer(RootCertificate) ||
      !Buffer.isBuffer(EscrowBag)
    )
      continue;
    pairings.set(entry.HostID, {
      hostId: entry.HostID,
      systemBuid: typeof entry.SystemBUID === 'string' ? entry.SystemBUID : '',
      deviceCertificate: DeviceCertificate,
      hostCertificate: HostCertificate,
      rootCertificate: RootCertificate,
      escrowBag: EscrowBag,
      wifiMacAddress: typeof entry.WiFiMACAddress === 'string' ? entry.WiFiMACAddress : undefined,
      pairedAt: entry.PairedAt instanceof Date ? entry.PairedAt : new Date(0),
    });
  }
  return pairings;
}
