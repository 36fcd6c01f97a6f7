import { useState } from 'preact/hooks';
import { api } from './api.js';
import { canBackUp, stateWording, whatToDo } from './device-wording.js';
import { EncryptionPanel } from './encryption-panel.js';
import { formatDate } from './format.js';
import type { LiveState } from './live-state.js';
import { ProgressBar } from './progress-bar.js';
import type { Device } from './types.js';

function DeviceCard(props: { device: Device; live: LiveState; onError: (error: unknown) => void }) {
  const { device, live } = props;
  const [busy, setBusy] = useState(false);
  const name = device.name ?? 'iPhone (not trusted yet)';
  const backUp = async (full: boolean) => {
    setBusy(true);
    try {
      await api('POST', '/v1/jobs', { type: 'backup', udid: device.udid, full });
      live.refresh();
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      class={`card device state-${device.state}`}
      data-udid={device.udid}
      aria-label={`${name}: ${stateWording(device)}`}
    >
      <h3>{name}</h3>
      <p class="meta">
        {[device.productType, device.iosVersion && `iOS ${device.iosVersion}`, device.connectionType]
          .filter(Boolean)
          .join(' · ')}
      </p>
      <p class="udid">UDID {device.udid}</p>
      <p class="state" role="status">
        <strong>{stateWording(device)}</strong>
        {device.message && <span class="message"> — {device.message}</span>}
      </p>
      {device.state === 'waiting-for-trust' && (
        <p class="hint">
          Unlock the phone and tap “Trust” in the “Trust This Computer?” dialog, then enter the passcode.
        </p>
      )}
      {device.progress &&
        device.jobId &&
        ['backing-up', 'extracting', 'changing-encryption'].includes(device.state) && (
          <ProgressBar jobId={device.jobId} progress={device.progress} rates={live.rates} label={`Backup of ${name}`} />
        )}
      {device.state === 'failed' && device.error && (
        <div class="failure">
          <p>
            <strong>Why:</strong> {device.error.message} <code>{device.error.code}</code>
          </p>
          <p>
            <strong>What to do:</strong> {whatToDo(device.error)}
          </p>
        </div>
      )}
      {device.lastBackupAt && <p class="meta">Last backup {formatDate(device.lastBackupAt)}</p>}
      <div class="actions">
        <button type="button" disabled={busy || !canBackUp(device)} onClick={() => backUp(false)}>
          Back up (incremental)
        </button>
        <button type="button" disabled={busy || !canBackUp(device)} onClick={() => backUp(true)}>
          Full backup
        </button>
      </div>
      <EncryptionPanel device={device} live={live} onError={props.onError} />
    </li>
  );
}

export function DevicesView(props: { live: LiveState; onError: (error: unknown) => void }) {
  const devices = props.live.devices;
  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading">Devices</h2>
      {devices.length === 0 ? (
        <p>No phone is connected. Plug an iPhone in with its cable and unlock it.</p>
      ) : (
        <ul class="cards">
          {devices.map((device) => (
            <DeviceCard key={device.udid} device={device} live={props.live} onError={props.onError} />
          ))}
        </ul>
      )}
    </section>
  );
}
