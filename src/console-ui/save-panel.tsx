import { useState } from 'preact/hooks';
import { api, apiBlob } from './api.js';
import type { SelectionState } from './selection.js';

interface SaveStatus {
  state: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
  out: string;
  error?: { code: string; message: string };
}

/** "Save selected": into a folder on this computer (a daemon job, followed until it ends) or as a zip download. */
export function SavePanel(props: { backupId: string; selection: SelectionState; version: number }) {
  const [status, setStatus] = useState<SaveStatus | undefined>();
  const [message, setMessage] = useState('');
  const base = `/console/api/backups/${encodeURIComponent(props.backupId)}`;
  const empty = props.selection.size === 0;

  const toFolder = async (event: Event) => {
    event.preventDefault();
    const out = ((event.currentTarget as HTMLFormElement).elements.namedItem('out') as HTMLInputElement).value.trim();
    setMessage('');
    try {
      const { jobId } = await api<{ jobId: string }>('POST', `${base}/save`, {
        out,
        selection: props.selection.toRequest(),
      });
      for (;;) {
        const current = await api<SaveStatus>('GET', `/console/api/saves/${encodeURIComponent(jobId)}`);
        setStatus(current);
        if (current.state !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };

  const asZip = async () => {
    setMessage('Preparing the zip…');
    try {
      const blob = await apiBlob('POST', `${base}/save`, { out: null, selection: props.selection.toRequest() });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = 'iosrescue-selection.zip';
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      setMessage('The zip is downloaded.');
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <form class="save-panel" onSubmit={toFolder} aria-label="Save selected">
      <p class="selection-summary" aria-live="polite">
        Selected: {props.selection.summary()}
      </p>
      <label for="save-out">Folder to save into</label>
      <input id="save-out" name="out" type="text" placeholder="/home/me/recovered" required />
      <button type="submit" disabled={empty}>
        Save selected
      </button>
      <button type="button" disabled={empty} onClick={asZip}>
        Download zip
      </button>
      {status && (
        <p class={`save-status save-${status.state}`} role="status">
          {status.state === 'running' && `Saving… ${status.done} of ${status.total} files`}
          {status.state === 'succeeded' && `Saved ${status.total} files into ${status.out}`}
          {status.state === 'failed' && `Saving failed: ${status.error?.message ?? ''} (${status.error?.code ?? ''})`}
        </p>
      )}
      {message && <p role="status">{message}</p>}
    </form>
  );
}
