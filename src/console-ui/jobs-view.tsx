import { api } from './api.js';
import { formatDate, formatDuration } from './format.js';
import { JobLog } from './job-log.js';
import type { LiveState } from './live-state.js';
import { ProgressBar } from './progress-bar.js';
import type { Job } from './types.js';

function outcome(job: Job): string {
  if (job.state === 'succeeded') return job.backupDir ?? job.outDir ?? 'done';
  if (job.error) return `${job.error.message} (${job.error.code})`;
  return job.progress?.message ?? '';
}

function duration(job: Job): number | undefined {
  if (!job.startedAt) return undefined;
  const end = job.endedAt ? Date.parse(job.endedAt) : Date.now();
  return end - Date.parse(job.startedAt);
}

export function JobsView(props: { live: LiveState; onError: (error: unknown) => void }) {
  const { live } = props;
  const cancel = async (job: Job) => {
    try {
      await api('POST', `/v1/jobs/${encodeURIComponent(job.id)}/cancel`);
      live.refresh();
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      {live.jobs.length === 0 ? (
        <p>No jobs yet. Start a backup from a phone's card.</p>
      ) : (
        <table class="jobs">
          <caption class="sr-only">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Phone</th>
              <th scope="col">State</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Outcome</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {live.jobs.map((job) => (
              <tr key={job.id} data-job={job.id} class={`job-${job.state}`}>
                <td>
                  {job.type}
                  {job.type === 'backup' && (job.request.full ? ' (full)' : ' (incremental)')}
                </td>
                <td>{job.udid ?? '—'}</td>
                <td>{job.state}</td>
                <td>{formatDate(job.startedAt ?? job.createdAt)}</td>
                <td>{formatDuration(duration(job))}</td>
                <td class="outcome">
                  {job.state === 'running' && job.progress ? (
                    <ProgressBar jobId={job.id} progress={job.progress} rates={live.rates} label={`Job ${job.id}`} />
                  ) : (
                    outcome(job)
                  )}
                </td>
                <td>
                  <JobLog jobId={job.id} onError={props.onError} />
                  {(job.state === 'queued' || job.state === 'running') && (
                    <button type="button" onClick={() => cancel(job)} aria-label={`Cancel job ${job.id}`}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
