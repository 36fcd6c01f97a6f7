/**
 * A phone's notification bus, as notify(3) is on iOS: notification_proxy clients observe names, posts reach every
 * observer of the name, and the phone's own agents (the backup agent) post too — the passcode prompt, the
 * backup domain changing after a password change.
 */
export class NotificationCenter {
  private readonly observers = new Set<(name: string) => void>();
  /** Every name posted on this phone, newest last (tests read it to see what a host announced). */
  readonly posted: string[] = [];

  /** `listener` hears every posted name; the returned function stops it. */
  subscribe(listener: (name: string) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  post(name: string): void {
    this.posted.push(name);
    if (this.posted.length > 1000) this.posted.splice(0, this.posted.length - 1000);
    for (const listener of this.observers) listener(name);
  }
}
