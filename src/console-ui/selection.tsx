import type { Selection } from './types.js';

/** What the person ticked, kept as sets; `toRequest` is the save endpoint's body. */
export class SelectionState {
  readonly items = new Map<string, Set<string>>();
  readonly conversations = new Set<string>();
  readonly allDeleted = new Set<string>();
  /** Whole Photos albums, id → title (the title is for the summary). */
  readonly albums = new Map<string, string>();

  has(type: string, id: string): boolean {
    return this.items.get(type)?.has(id) ?? false;
  }

  toggle(type: string, id: string, on: boolean): void {
    const set = this.items.get(type) ?? new Set<string>();
    if (on) set.add(id);
    else set.delete(id);
    this.items.set(type, set);
  }

  toggleConversation(id: string, on: boolean): void {
    if (on) this.conversations.add(id);
    else this.conversations.delete(id);
  }

  toggleAllDeleted(type: string, on: boolean): void {
    if (on) this.allDeleted.add(type);
    else this.allDeleted.delete(type);
  }

  toggleAlbum(id: string, title: string, on: boolean): void {
    if (on) this.albums.set(id, title);
    else this.albums.delete(id);
  }

  get size(): number {
    let n = this.conversations.size + this.allDeleted.size + this.albums.size;
    for (const set of this.items.values()) n += set.size;
    return n;
  }

  summary(): string {
    const parts: string[] = [];
    for (const [type, set] of this.items) if (set.size) parts.push(`${set.size} ${type}`);
    if (this.conversations.size) parts.push(`${this.conversations.size} conversation(s)`);
    for (const type of this.allDeleted) parts.push(`all deleted ${type}`);
    if (this.albums.size === 1) parts.push(`album ${[...this.albums.values()][0]}`);
    else if (this.albums.size > 1) parts.push(`${this.albums.size} albums`);
    return parts.length ? parts.join(', ') : 'nothing selected';
  }

  toRequest(): Selection & { albums: string[] } {
    const items: Record<string, string[]> = {};
    for (const [type, set] of this.items) if (set.size) items[type] = [...set];
    return {
      items,
      conversations: [...this.conversations],
      allDeleted: [...this.allDeleted],
      albums: [...this.albums.keys()],
    };
  }
}
