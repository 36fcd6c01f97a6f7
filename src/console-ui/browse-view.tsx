import { useEffect, useMemo, useState } from 'preact/hooks';
import { AlbumsPicker } from './albums-picker.js';
import { api } from './api.js';
import { ConversationsView } from './conversations-view.js';
import { FilterBar, type Filters, NO_FILTERS } from './filters.js';
import { ItemsView } from './items-view.js';
import { SavePanel } from './save-panel.js';
import { SelectionState } from './selection.js';
import type { TypeSummary } from './types.js';

/** One backup's data: a tab per type, filters, the records, and "Save selected". */
export function BrowseView(props: { backupId: string; onError: (error: unknown) => void }) {
  const { backupId, onError } = props;
  const [types, setTypes] = useState<TypeSummary[] | undefined>();
  const [type, setType] = useState<string | undefined>();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const selection = useMemo(() => new SelectionState(), []);
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);

  useEffect(() => {
    api<TypeSummary[]>('GET', `/console/api/backups/${encodeURIComponent(backupId)}/types`).then((list) => {
      setTypes(list);
      setType((current) => current ?? list.find((t) => t.records > 0)?.type ?? list[0]?.type);
    }, onError);
  }, [backupId, onError]);

  if (!types) return <p>Reading the backup…</p>;
  return (
    <section aria-labelledby="browse-heading" class="browse">
      <h2 id="browse-heading">Browse backup</h2>
      <p>
        <a href="#backups">← All backups</a>
      </p>
      <fieldset class="tabs">
        <legend>Data type</legend>
        {types.map((t) => (
          <button
            key={t.type}
            type="button"
            aria-pressed={t.type === type}
            data-type={t.type}
            onClick={() => setType(t.type)}
          >
            {t.type} <span class="n">{t.records.toLocaleString()}</span>
            {t.deleted > 0 && <span class="deleted-count"> ({t.deleted.toLocaleString()} deleted)</span>}
          </button>
        ))}
      </fieldset>
      <FilterBar filters={filters} onChange={setFilters} />
      {type && (
        <label class="check all-deleted">
          <input
            type="checkbox"
            checked={selection.allDeleted.has(type)}
            onChange={(event) => {
              selection.toggleAllDeleted(type, (event.currentTarget as HTMLInputElement).checked);
              changed();
            }}
          />
          Select all deleted {type}
        </label>
      )}
      <SavePanel backupId={backupId} selection={selection} version={version} />
      {type === 'photos' && (
        <AlbumsPicker backupId={backupId} selection={selection} onSelectionChange={changed} onError={onError} />
      )}
      {type === 'messages' ? (
        <ConversationsView
          backupId={backupId}
          filters={filters}
          selection={selection}
          onSelectionChange={changed}
          onError={onError}
        />
      ) : type ? (
        <ItemsView
          key={type}
          backupId={backupId}
          type={type}
          filters={filters}
          selection={selection}
          onSelectionChange={changed}
          onError={onError}
        />
      ) : null}
    </section>
  );
}
