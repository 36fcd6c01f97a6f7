import { describe, expect, it } from 'vitest';
import { DeviceTable, type DeviceChange } from '../../../src/daemon/device-table.js';

function table(): { devices: DeviceTable; changes: Array<[string | undefined, string]> } {
  const changes: Array<[string | undefined, string]> = [];
  const devices = new DeviceTable((change: DeviceChange) => changes.push([change.from, change.view.state]));
  return { devices, changes };
}

describe('DeviceTable', () => {
  it('counts a phone on USB and Wi-Fi once: detached only when its last connection goes', () => {
    const { devices, changes } = table();
    expect(devices.connect('A', 1, 'USB')).toBe(true);
    expect(devices.connect('A', 2, 'Network')).toBe(false);
    expect(devices.disconnect('A', 1)).toBe(false);
    expect(devices.isAttached('A')).toBe(true);
    expect(devices.disconnect('A', 2)).toBe(true);
    expect(devices.isAttached('A')).toBe(false);
    expect(changes).toEqual([
      [undefined, 'attached'],
      ['attached', 'detached'],
    ]);
  });

  it('reports a state change, and a new message in the same state, but not a repeat', () => {
    const { devices, changes } = table();
    devices.connect('A', 1, 'USB');
    devices.set('A', 'waiting-for-trust', { message: 'tap Trust' });
    devices.set('A', 'waiting-for-trust', { message: 'tap Trust' });
    devices.set('A', 'waiting-for-trust', { message: 'unlock the phone' });
    devices.fail('A', { code: 'LOCKDOWN_PAIRING_TIMEOUT', message: 'nobody tapped Trust', category: 'timeout' });
    expect(changes.map(([, state]) => state)).toEqual(['attached', 'waiting-for-trust', 'waiting-for-trust', 'failed']);
    expect(devices.get('A')).toMatchObject({ state: 'failed', error: { code: 'LOCKDOWN_PAIRING_TIMEOUT' } });
  });

  it('forgets a job and its progress on detach, and an old error on re-attach', () => {
    const { devices } = table();
    devices.connect('A', 1, 'USB');
    devices.set('A', 'backing-up', { jobId: '7' });
    devices.progress('A', { phase: 'transferring', message: 'receiving', bytesDone: 10, files: 1 });
    expect(devices.get('A')?.progress?.bytesDone).toBe(10);
    devices.disconnect('A', 1);
    expect(devices.get('A')).not.toHaveProperty('jobId');
    expect(devices.get('A')).not.toHaveProperty('progress');
    devices.fail('A', { code: 'X', message: 'x', category: 'internal' });
    devices.connect('A', 3, 'USB');
    expect(devices.get('A')).toMatchObject({ state: 'attached' });
    expect(devices.get('A')).not.toHaveProperty('error');
    expect(devices.connections()).toEqual([{ udid: 'A', deviceId: 3, at: expect.any(Number) }]);
  });
});
