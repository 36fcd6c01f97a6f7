import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { formatBytes, formatDate } from './format.js';
import type { ConsoleBackup } from './types.js';

/** The password field of a locked backup: typed, sent once, never shown or kept by the page. */
function UnlockForm(props: { backup: ConsoleBackup; onUnlocked: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const fieldId = `password-${props.backup.id}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const field = form.elements.namedItem('password') as HTMLInputElement;
    setBusy(true);
    setError('');
    try {
      await api('POST', `/console/api/backups/${encodeURIComponent(props.backup.id)}/unlock`, {
        password: field.value,
      });
      field.value = '';
      props.onUnlocked();
    } catch (caught) {
      field.value = '';
      setError(
        caught instanceof ApiError && caught.code === 'BACKUP_WRONG_PASSWORD'
          ? 'Wrong password: this is the backup password set in iTunes/Finder (or by iosrescue), not the phone passcode.'
          : caught instanceof Error
            ? caught.message
            : String(caught),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="unlock" onSubmit={submit}>
      <label for={fieldId}>Backup password</label>
      <input id={fieldId} name="password" type="password" autocomplete="off" required />
      <button type="submit" disabled={busy}>
        Unlock
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Reads the whole backup once (the daemon keeps the index) so its counts can show. */
function ScanButton(props: { backup: ConsoleBackup; onScanned: () => void; onError: (error: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const scan = async () => {
    setBusy(true);
    try {
      await api('GET', `/console/api/backups/${encodeURIComponent(props.backup.id)}/types`);
      props.onScanned();
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="meta">
      Not scanned yet.{' '}
      <button type="button" onClick={scan} disabled={busy}>
        {busy ? 'Scanning…' : 'Scan (count records)'}
      </button>
    </p>
  );
}

function Counts(props: { backup: ConsoleBackup; onScanned: () => void; onError: (error: unknown) => void }) {
  const counts = props.backup.counts;
  if (!counts) {
    if (props.backup.encrypted && !props.backup.unlocked) return <p class="meta">Locked</p>;
    return <ScanButton {...props} />;
  }
  const entries = Object.entries(counts).filter(([, c]) => c.records > 0);
  return (
    <ul class="counts" aria-label="Records per type">
      {entries.map(([type, c]) => (
        <li key={type} data-type={type}>
          <span class="type">{type}</span> <span class="n">{c.records.toLocaleString()}</span>
          {c.deleted > 0 && <span class="deleted-count"> · {c.deleted.toLocaleString()} deleted</span>}
        </li>
      ))}
    </ul>
  );
}

function AddBackupForm(props: { onAdded: () => void; onError: (error: unknown) => void }) {
  const add = async (event: Event) => {
    event.preventDefault();
    const field = (event.currentTarget as HTMLFormElement).elements.namedItem('path') as HTMLInputElement;
    try {
      await api('POST', '/console/api/backups', { path: field.value });
      field.value = '';
      props.onAdded();
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <form class="add-backup" onSubmit={add}>
      <label for="add-backup-path">Add a backup folder</label>
      <input id="add-backup-path" name="path" type="text" placeholder="/home/me/backups/00008030-…" required />
      <button type="submit">Add</button>
    </form>
  );
}

export function BackupsView(props: { onError: (error: unknown) => void; reloadKey: number }) {
  const [backups, setBackups] = useState<ConsoleBackup[] | undefined>();
  const { onError } = props;
  const load = useCallback(async () => {
    try {
      setBackups(await api<ConsoleBackup[]>('GET', '/console/api/backups'));
    } catch (error) {
      onError(error);
    }
  }, [onError]);
  useEffect(() => {
    void load();
  }, [load, props.reloadKey]);
  return (
    <section aria-labelledby="backups-heading">
      <h2 id="backups-heading">Backups</h2>
      <AddBackupForm onAdded={load} onError={onError} />
      {backups === undefined ? (
        <p>Reading backups…</p>
      ) : backups.length === 0 ? (
        <p>No backups yet. Back up a phone from Devices, or add a backup folder.</p>
      ) : (
        <ul class="cards">
          {backups.map((backup) => (
            <li key={backup.id} class="card backup" data-backup={backup.id}>
              <h3>{backup.deviceName ?? backup.udid ?? backup.path}</h3>
              <p class="meta">
                {formatDate(backup.date)} · {formatBytes(backup.bytes)} ·{' '}
                {backup.encrypted ? 'encrypted' : 'not encrypted'}
              </p>
              <p class="path">{backup.path}</p>
              <Counts backup={backup} onScanned={load} onError={onError} />
              {backup.encrypted && !backup.unlocked ? (
                <UnlockForm backup={backup} onUnlocked={load} />
              ) : (
                <a class="button" href={`#browse/${encodeURIComponent(backup.id)}`}>
                  Browse
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
