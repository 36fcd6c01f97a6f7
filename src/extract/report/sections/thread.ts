import { fileLink, isDeleted } from '../html.js';
import type { SectionContext } from '../section.js';

/**
 * The part of a conversation the page shows (Messages, WhatsApp): its newest messages and every deleted one
 * (up to a bound), read from a conversation.json one message at a time. The whole thread is the conversation's
 * own page, linked from the gaps, so a 100,000-message phone gives a report a browser can open.
 */
export const NEWEST_SHOWN = 100;
/** Deleted messages older than the newest ones shown, kept in the page so "deleted only" finds them. */
export const OLDER_DELETED_SHOWN = 500;

export interface Numbered<T> {
  /** Position in the conversation, from 0. */
  index: number;
  message: T;
}

export interface ThreadWindow<T> {
  /** The messages to draw, in conversation order. */
  shown: Array<Numbered<T>>;
  count: number;
  /** Messages with origin recently-deleted or recovered, shown or not. */
  deleted: number;
  /** Of those, the ones the carver rebuilt (origin recovered). */
  recovered: number;
  last: T | undefined;
}

/** Reads a conversation's messages; `visit` sees every one of them (for counts of the caller's own). */
export async function threadWindow<T extends { origin: unknown }>(
  messages: AsyncIterable<T>,
  visit?: (message: T) => void,
): Promise<ThreadWindow<T>> {
  const newest: Array<Numbered<T>> = [];
  const olderDeleted: Array<Numbered<T>> = [];
  let count = 0;
  let deleted = 0;
  let recovered = 0;
  for await (const message of messages) {
    newest.push({ index: count++, message });
    visit?.(message);
    if (isDeleted(message.origin)) deleted++;
    if (message.origin === 'recovered') recovered++;
    if (newest.length > NEWEST_SHOWN) {
      const older = newest.shift()!;
      if (isDeleted(older.message.origin) && olderDeleted.length < OLDER_DELETED_SHOWN) olderDeleted.push(older);
    }
  }
  return { shown: [...olderDeleted, ...newest], count, deleted, recovered, last: newest.at(-1)?.message };
}

function gap(count: number, page: string): string {
  return `<div class="gap">… ${count} earlier message${count === 1 ? '' : 's'} — ${fileLink(page, 'open the whole conversation')}</div>\n`;
}

/** The bubbles of a thread window, with a gap linking to the whole conversation wherever messages were left out. */
export async function writeThread<T>(
  context: SectionContext,
  thread: ThreadWindow<T>,
  page: string,
  bubble: (message: T) => string,
): Promise<void> {
  let expected = 0;
  for (const { index, message } of thread.shown) {
    if (index > expected) await context.write(gap(index - expected, page));
    await context.write(bubble(message));
    expected = index + 1;
  }
}
