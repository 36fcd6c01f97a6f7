import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from './api.js';
import { type Filters, filterQuery } from './filters.js';
import { formatDate } from './format.js';
import { OriginMark } from './marks.js';
import { usePagedItems } from './paged-items.js';
import type { SelectionState } from './selection.js';
import type { Item, Page } from './types.js';
import { VirtualList } from './virtual-list.js';

const TILE = 150;
const GRID_COLUMNS = 5;

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A photo or video opened large: the image, or a player (the file route answers Range requests). */
function Viewer(props: { item: Item; onClose: () => void }) {
  const { item } = props;
  const close = useRef<HTMLButtonElement>(null);
  // The focus moves into the dialog (so Escape and Tab act there) and back to what opened it on close.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => opener?.focus();
  }, []);
  const video = /\.(mov|mp4|m4v)$/i.test(item.title) || String(item.fields.mime ?? '').startsWith('video');
  return (
    <div
      class="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={item.title}
      onKeyDown={(event) => {
        if (event.key === 'Escape') props.onClose();
      }}
    >
      <button type="button" class="close" onClick={props.onClose} ref={close}>
        Close
      </button>
      {video ? (
        // biome-ignore lint/a11y/useMediaCaption: recovered home videos have no captions
        <video src={item.media} controls />
      ) : (
        <img src={item.media} alt={item.title} />
      )}
      <p>
        {item.title} · {formatDate(item.date)} <OriginMark {...item} />
      </p>
    </div>
  );
}

/** One data type's records: photos as a grid of thumbnails, the rest as rows; both virtualized and selectable. */
export function ItemsView(props: {
  backupId: string;
  type: string;
  filters: Filters;
  selection: SelectionState;
  onSelectionChange: () => void;
  onError: (error: unknown) => void;
}) {
  const { backupId, type, filters, selection } = props;
  const [open, setOpen] = useState<Item | undefined>();
  const key = JSON.stringify([backupId, type, filters]);
  const items = usePagedItems<Item>(
    key,
    (offset, limit) =>
      api<Page<Item>>(
        'GET',
        `/console/api/backups/${encodeURIComponent(backupId)}/items/${encodeURIComponent(type)}${query({ offset, limit, ...filterQuery(filters) })}`,
      ),
    props.onError,
  );
  const total = items.total ?? 0;
  const grid = type === 'photos';

  const checkbox = (item: Item) => (
    <input
      type="checkbox"
      aria-label={`Select ${item.title}`}
      checked={selection.has(type, item.id)}
      onChange={(event) => {
        selection.toggle(type, item.id, (event.currentTarget as HTMLInputElement).checked);
        props.onSelectionChange();
      }}
    />
  );

  const tile = (index: number) => {
    const item = items.at(index);
    if (!item) return <div class="tile loading" aria-hidden="true" />;
    return (
      <div class={`tile${item.deleted ? ' is-deleted' : ''}`} data-item={item.id}>
        {checkbox(item)}
        <button type="button" class="open" onClick={() => setOpen(item)} aria-label={`Open ${item.title}`}>
          {item.thumb ? <img src={item.thumb} alt="" loading="lazy" /> : <span class="no-thumb">{item.title}</span>}
        </button>
        <OriginMark {...item} />
      </div>
    );
  };

  const row = (index: number) => {
    const item = items.at(index);
    if (!item) return <div class="row loading">…</div>;
    const fields = Object.entries(item.fields)
      .filter(([, v]) => v !== null && v !== '' && typeof v !== 'object')
      .slice(0, 4);
    return (
      <div class={`row${item.deleted ? ' is-deleted' : ''}`} data-item={item.id}>
        {checkbox(item)}
        <div class="row-main">
          <p class="title">
            {item.title} <OriginMark {...item} />
          </p>
          <p class="sub">
            {formatDate(item.date)}
            {item.subtitle && ` · ${item.subtitle}`}
            {fields.map(([name, value]) => ` · ${name}: ${fieldText(value)}`)}
          </p>
        </div>
        {item.media && (
          <a href={item.media} target="_blank" rel="noreferrer">
            Open file<span class="sr-only"> of {item.title}</span>
          </a>
        )}
      </div>
    );
  };

  return (
    <div class="items">
      <p class="total" aria-live="polite">
        {items.total === undefined ? 'Loading…' : `${total.toLocaleString()} ${type}`}
      </p>
      {grid ? (
        <VirtualList
          class="grid"
          label={`${type}, ${total} items`}
          rowCount={Math.ceil(total / GRID_COLUMNS)}
          rowHeight={TILE}
          renderRow={(rowIndex) => (
            <div class="tiles">
              {Array.from({ length: Math.min(GRID_COLUMNS, total - rowIndex * GRID_COLUMNS) }, (_, n) =>
                tile(rowIndex * GRID_COLUMNS + n),
              )}
            </div>
          )}
        />
      ) : (
        <VirtualList label={`${type}, ${total} items`} rowCount={total} rowHeight={64} renderRow={row} />
      )}
      {open && <Viewer item={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}
