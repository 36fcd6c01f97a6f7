import { describe, expect, it } from 'vitest';
import { createIdentity, luhnDigit, udidFor } from '../../../src/emulator/device-identity.js';

describe('virtual device identity', () => {
  it('is the same phone for the same seed and index, and another phone otherwise', () => {
    expect(createIdentity('lab', 0)).toEqual(createIdentity('lab', 0));
    const udids = new Set([udidFor('lab', 0), udidFor('lab', 1), udidFor('other', 0)]);
    expect(udids.size).toBe(3);
  });

  it('has an A13 UDID of ChipID and ECID, with UniqueChipID equal to the ECID', () => {
    const identity = createIdentity('lab', 3);
    const udid = identity.UniqueDeviceID as string;
    expect(udid).toMatch(/^00008030-[0-9A-F]{16}$/);
    expect(identity.UniqueChipID).toBe(parseInt(udid.slice(9), 16));
    expect(Number.isSafeInteger(identity.UniqueChipID)).toBe(true);
    expect(identity.ChipID).toBe(0x8030);
  });

  it('has Luhn-valid IMEI and ICCID and well-formed addresses', () => {
    const identity = createIdentity('lab', 1);
    const imei = identity.InternationalMobileEquipmentIdentity as string;
    const iccid = identity.IntegratedCircuitCardIdentity as string;
    expect(imei).toMatch(/^\d{15}$/);
    expect(iccid).toMatch(/^89\d{18}$/);
    expect(luhnDigit(imei.slice(0, -1))).toBe(imei.slice(-1));
    expect(luhnDigit(iccid.slice(0, -1))).toBe(iccid.slice(-1));
    expect(identity.WiFiAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(identity.BluetoothAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(identity.SerialNumber).toMatch(/^[A-Z0-9]{12}$/);
  });

  it('computes the Luhn digit of a known IMEI', () => {
    // 49015420323751 is the textbook IMEI body; its check digit is 8.
    expect(luhnDigit('49015420323751')).toBe('8');
  });

  it('takes overrides for a fresh phone', () => {
    const identity = createIdentity('lab', 0, { productVersion: '9.3.5', deviceName: 'Old Phone' });
    expect(identity).toMatchObject({ ProductVersion: '9.3.5', DeviceName: 'Old Phone', ProductType: 'iPhone12,8' });
  });
});
