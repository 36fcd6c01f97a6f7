import type { Logger } from '../logging.js';
import type { DaemonEvent, EventLog } from './engine-types.js';
import type { JobStore, NewEvent } from './job-store.js';

/**
 * The persisted event stream: an event reaches listeners (SSE clients) only after it is in the store, so a client
 * that reconnects with Last-Event-ID gets exactly what it missed.
 */
export class EventHub implements EventLog {
  private readonly listeners = new Set<(event: DaemonEvent) => void>();

  constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
  ) {}

  append(event: NewEvent): DaemonEvent {
    const saved = this.store.appendEvent(event);
    this.publish(saved);
    return saved;
  }

  /** An event the store saved in a transaction of its own (with a job change). */
  publish(event: DaemonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'an event listener failed');
      }
    }
  }

  since(lastEventId: number, limit = 1000): DaemonEvent[] {
    return this.store.eventsSince(lastEventId, limit);
  }

  lastId(): number {
    return this.store.lastEventId();
  }

  subscribe(listener: (event: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
