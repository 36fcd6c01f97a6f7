import { useState } from 'preact/hooks';
import { api } from './api.js';
import { formatDate } from './format.js';

/** One persisted daemon event, as GET /v1/jobs/{id}/events gives it. */
interface JobEvent {
  id: number;
  time: string;
  kind: string;
  data: Record<string, unknown>;
}

/** What a log line says: the event's own message, else the state or phase it reports. */
function describe(event: JobEvent): string {
  const { data } = event;
  const said = data.message ?? data.reason ?? data.state ?? data.phase;
  const error = data.error as { code?: string; message?: string } | undefined;
  const parts = [event.kind, typeof said === 'string' ? said : ''];
  if (error?.message) parts.push(`${error.message}${error.code ? ` (${error.code})` : ''}`);
  return parts.filter(Boolean).join(' — ');
}

/** A job's log lines, fetched when the person opens them (a long backup's progress events stay out of the list). */
export function JobLog(props: { jobId: string; onError: (error: unknown) => void }) {
  const [events, setEvents] = useState<JobEvent[] | undefined>();
  const load = async (open: boolean) => {
    if (!open) return;
    try {
      setEvents(await api<JobEvent[]>('GET', `/v1/jobs/${encodeURIComponent(props.jobId)}/events?limit=1000`));
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <details class="job-log" onToggle={(event) => load((event.currentTarget as HTMLDetailsElement).open)}>
      <summary>Log</summary>
      {events === undefined ? (
        <p>Loading…</p>
      ) : (
        <ol aria-label={`Log of job ${props.jobId}`}>
          {events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.time}>{formatDate(event.time)}</time> {describe(event)}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
