import { useState } from 'preact/hooks';
import { api } from './api.js';
import { canBackUp, encryptionWording } from './device-wording.js';
import type { LiveState } from './live-state.js';
import type { Device } from './types.js';

type Action = 'on' | 'off' | 'change';

const SUBMIT_LABEL: Record<Action, string> = {
  on: 'Turn on encryption',
  off: 'Turn off encryption',
  change: 'Change password',
};

/** Which password fields an action asks for: the current one to turn off or change, a new one (typed twice) to set. */
function fieldsOf(action: Action): { current: boolean; fresh: boolean } {
  return { current: action !== 'on', fresh: action !== 'off' };
}

/**
 * A phone's backup encryption: its status and the forms that turn it on, off or change the password through an
 * `encryption` job. The passwords live only in the password fields (never in component state), go in that one
 * request body and the fields are emptied after every submit, whether it was accepted or not.
 */
export function EncryptionPanel(props: { device: Device; live: LiveState; onError: (error: unknown) => void }) {
  const { device } = props;
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const id = (field: string) => `encryption-${field}-${device.udid}`;
  const allowed = canBackUp(device);
  const offered: Action[] =
    device.backupEncrypted === true
      ? ['off', 'change']
      : device.backupEncrypted === false
        ? ['on']
        : ['on', 'off', 'change'];

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!action) return;
    const form = event.currentTarget as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    const body: Record<string, string> = { type: 'encryption', udid: device.udid, action };
    const { current, fresh } = fieldsOf(action);
    if (current) body.oldPassword = value('oldPassword');
    if (fresh) body.newPassword = value('newPassword');
    const mismatch = fresh && value('newPassword') !== value('confirmPassword');
    form.reset();
    if (mismatch) {
      setProblem('The two new passwords differ: type them again.');
      return;
    }
    setBusy(true);
    setProblem('');
    try {
      await api('POST', '/v1/jobs', body);
      setAction(null);
      props.live.refresh();
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };

  const { current, fresh } = action ? fieldsOf(action) : { current: false, fresh: false };
  return (
    <div class="encryption">
      <p class="encryption-status">
        Backups: <strong>{encryptionWording(device)}</strong>
      </p>
      {!action && (
        <div class="actions">
          {offered.map((choice) => (
            <button
              key={choice}
              type="button"
              disabled={!allowed || busy}
              onClick={() => {
                setProblem('');
                setAction(choice);
              }}
            >
              {SUBMIT_LABEL[choice]}…
            </button>
          ))}
        </div>
      )}
      {action && (
        <form class="encryption-form" onSubmit={submit} aria-label={`${SUBMIT_LABEL[action]} for backups`}>
          {current && (
            <>
              <label for={id('old')}>Current backup password</label>
              <input id={id('old')} name="oldPassword" type="password" autocomplete="current-password" required />
            </>
          )}
          {fresh && (
            <>
              <label for={id('new')}>New backup password</label>
              <input id={id('new')} name="newPassword" type="password" autocomplete="new-password" required />
              <label for={id('confirm')}>New password again</label>
              <input id={id('confirm')} name="confirmPassword" type="password" autocomplete="new-password" required />
            </>
          )}
          <button type="submit" disabled={busy || !allowed}>
            {SUBMIT_LABEL[action]}
          </button>
          <button type="button" disabled={busy} onClick={() => setAction(null)}>
            Cancel
          </button>
        </form>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
