import type { ServerResponse } from 'node:http';
import type { DaemonEvent, EventLog } from '../engine-types.js';

export interface EventStreamOptions {
  /** Send events after this id (the client's Last-Event-ID; 0 = all). */
  after: number;
  /** Only events of this job / this phone (the cursor still moves past the others). */
  jobId?: string;
  udid?: string;
  /** A comment line this often keeps proxies and idle timeouts from closing the stream. */
  keepAliveMs: number;
}

/** Past this much unsent output a client is "slow": live events stop going to it, it catches up from the store. */
const HIGH_WATER_BYTES = 256 * 1024;
const REPLAY_BATCH = 500;

/** One SSE message; `data` is one line of JSON (JSON.stringify never emits a raw newline). */
export function formatEvent(event: DaemonEvent): string {
  return `id: ${event.id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Streams the daemon's events to one SSE client until it goes away. Nothing is missed and nothing is sent twice:
 * the stream keeps a cursor (the last id sent) and writes an event only when it is the next one; anything else (a
 * resume from Last-Event-ID, events that arrive while the client is slow) is read back from the engine's persisted
 * log in order. A slow client therefore costs a cursor, not a growing buffer of events.
 */
export function streamEvents(log: EventLog, response: ServerResponse, options: EventStreamOptions): () => void {
  let cursor = options.after;
  let pumping = false;
  let again = false;
  let closed = false;

  const wanted = (event: DaemonEvent): boolean =>
    (options.jobId === undefined || event.jobId === options.jobId) &&
    (options.udid === undefined || event.udid === options.udid);

  const send = (event: DaemonEvent): void => {
    cursor = event.id;
    if (wanted(event)) response.write(formatEvent(event));
  };

  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        for (;;) {
          const batch = log.since(cursor, REPLAY_BATCH);
          if (batch.length === 0 || closed) break;
          for (const event of batch) if (event.id > cursor) send(event);
          if (response.writableLength >= HIGH_WATER_BYTES) await drained(response);
          if (closed) return;
        }
      } while (again && !closed);
    } finally {
      pumping = false;
    }
  };

  const onEvent = (event: DaemonEvent): void => {
    if (closed || event.id <= cursor) return;
    if (!pumping && event.id === cursor + 1 && response.writableLength < HIGH_WATER_BYTES) send(event);
    else void pump().catch(stop);
  };

  const unsubscribe = log.subscribe(onEvent);
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), options.keepAliveMs);
  keepAlive.unref();

  function stop(): void {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    unsubscribe();
    response.end();
  }
  response.on('close', stop);
  response.on('error', stop);
  // The client reconnects after 2 s when the stream drops (EventSource's `retry:`).
  response.write('retry: 2000\n\n');
  void pump().catch(stop);
  return stop;
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((done) => {
    const finish = (): void => {
      response.off('drain', finish);
      response.off('close', finish);
      done();
    };
    response.on('drain', finish);
    response.on('close', finish);
  });
}
