import { formatBytes, formatDuration } from './format.js';
import type { ProgressRates } from './progress-rate.js';
import type { JobProgress } from './types.js';

/** A job's progress: bar (when the total is known), what it is doing, bytes, rate and time left. */
export function ProgressBar(props: { jobId: string; progress: JobProgress; rates: ProgressRates; label: string }) {
  const { progress, rates, jobId } = props;
  const percent =
    progress.percent ??
    (progress.bytesTotal ? Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100) : undefined);
  const rate = rates.rate(jobId);
  const eta = rates.eta(jobId, progress);
  return (
    <div class="progress">
      <progress
        aria-label={props.label}
        max={100}
        value={percent === undefined ? undefined : Math.round(percent * 10) / 10}
        data-percent={percent === undefined ? '' : percent.toFixed(1)}
      />
      <p class="progress-text">
        <span>{progress.message}</span>
        {percent !== undefined && <span> · {percent.toFixed(0)} %</span>}
        <span>
          {' '}
          · {formatBytes(progress.bytesDone)}
          {progress.bytesTotal !== undefined && ` of ${formatBytes(progress.bytesTotal)}`}
        </span>
        {progress.files > 0 && <span> · {progress.files.toLocaleString()} files</span>}
        {rate !== undefined && <span> · {formatBytes(rate)}/s</span>}
        {eta !== undefined && <span> · about {formatDuration(eta)} left</span>}
      </p>
    </div>
  );
}
