import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken } from './api.js';
import { BackupsView } from './backups-view.js';
import { BrowseView } from './browse-view.js';
import { DevicesView } from './devices-view.js';
import { JobsView } from './jobs-view.js';
import { useLiveState } from './live-state.js';

function useHashRoute(): string {
  const [hash, setHash] = useState(location.hash.slice(1) || 'devices');
  useEffect(() => {
    const onChange = () => setHash(location.hash.slice(1) || 'devices');
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

/** Shown without a session: how to get in (the daemon hands out one-time login links to its own user only). */
function LoginLanding() {
  return (
    <main id="main" class="login">
      <h1>iosrescue console</h1>
      <p>You are not logged in, or the daemon restarted since.</p>
      <p>
        In a terminal on this computer, run <code>iosrescue console</code>: it prints a one-time login link (valid for 2
        minutes) and opens it in your browser.
      </p>
    </main>
  );
}

function Console(props: { version: string }) {
  const [error, setError] = useState('');
  const onError = useCallback((caught: unknown) => {
    if (caught instanceof ApiError && caught.code === 'CONSOLE_NO_SESSION') location.reload();
    setError(caught instanceof Error ? caught.message : String(caught));
  }, []);
  const live = useLiveState(onError);
  const route = useHashRoute();
  const finishedJobs = live.jobs.filter((job) => job.state === 'succeeded').length;
  const page = route.split('/')[0];
  const tab = (name: string, label: string) => (
    <a href={`#${name}`} aria-current={page === name ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        <h1>iosrescue</h1>
        <nav aria-label="Sections">
          {tab('devices', 'Devices')}
          {tab('jobs', 'Jobs')}
          {tab('backups', 'Backups')}
        </nav>
        <p class="connection" role="status">
          {live.connected ? 'Live' : 'Connecting…'} · daemon {props.version}
        </p>
      </header>
      <main id="main">
        {error && (
          <div class="error-banner" role="alert">
            <p>{error}</p>
            <button type="button" onClick={() => setError('')}>
              Dismiss
            </button>
          </div>
        )}
        {page === 'devices' && <DevicesView live={live} onError={onError} />}
        {page === 'jobs' && <JobsView live={live} onError={onError} />}
        {page === 'backups' && <BackupsView onError={onError} reloadKey={finishedJobs} />}
        {page === 'browse' && (
          <BrowseView key={route} backupId={decodeURIComponent(route.slice('browse/'.length))} onError={onError} />
        )}
      </main>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<{ version: string } | 'none' | undefined>();
  useEffect(() => {
    api<{ csrfToken: string; version: string }>('GET', '/console/api/session').then(
      (answer) => {
        setCsrfToken(answer.csrfToken);
        setSession({ version: answer.version });
      },
      () => setSession('none'),
    );
  }, []);
  if (session === undefined) return <p>Loading…</p>;
  if (session === 'none') return <LoginLanding />;
  return <Console version={session.version} />;
}
