import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Page } from './types.js';

const PAGE = 100;

export interface PagedItems<T> {
  /** undefined until the first page arrives. */
  total: number | undefined;
  /** The item at this index when its page is loaded (asks for the page otherwise). */
  at(index: number): T | undefined;
  /** Every loaded item (for "select all shown"). */
  loaded(): T[];
}

/**
 * A long list read page by page as its rows come into view: only pages someone scrolled to are fetched, and a new
 * `key` (search, filter) starts over. Memory holds the pages seen, not the whole list.
 */
export function usePagedItems<T>(
  key: string,
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  onError: (error: unknown) => void,
): PagedItems<T> {
  const [, setVersion] = useState(0);
  // Each key has its own cache, total included: an answer for an older key (a filter typed over) lands in that key's
  // cache and never shows, and a first page that answers before this render's effect runs is not wiped by it.
  const cache = useMemo(
    () => ({ pages: new Map<number, T[]>(), pending: new Set<number>(), total: undefined as number | undefined }),
    [key],
  );

  const load = (page: number) => {
    if (cache.pages.has(page) || cache.pending.has(page)) return;
    cache.pending.add(page);
    fetchPage(page * PAGE, PAGE).then(
      (result) => {
        cache.pending.delete(page);
        cache.pages.set(page, result.items);
        cache.total = result.total;
        setVersion((v) => v + 1);
      },
      (error: unknown) => {
        cache.pending.delete(page);
        onError(error);
      },
    );
  };
  useEffect(() => {
    load(0);
  }, [cache]);

  return {
    total: cache.total,
    at(index) {
      const page = Math.floor(index / PAGE);
      const items = cache.pages.get(page);
      if (!items) {
        load(page);
        return undefined;
      }
      return items[index - page * PAGE];
    },
    loaded: () => [...cache.pages.values()].flat(),
  };
}
