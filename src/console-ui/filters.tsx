export interface Filters {
  q: string;
  deleted: boolean;
  since: string;
  until: string;
}

export const NO_FILTERS: Filters = { q: '', deleted: false, since: '', until: '' };

/** Search, "deleted only" and a date range: every change starts the list over. */
export function FilterBar(props: { filters: Filters; onChange: (filters: Filters) => void }) {
  const { filters, onChange } = props;
  return (
    <fieldset class="filters">
      <legend>Filter</legend>
      <label for="filter-q">Search</label>
      <input
        id="filter-q"
        type="search"
        value={filters.q}
        onInput={(event) => onChange({ ...filters, q: (event.currentTarget as HTMLInputElement).value })}
      />
      <label class="check">
        <input
          type="checkbox"
          checked={filters.deleted}
          onChange={(event) => onChange({ ...filters, deleted: (event.currentTarget as HTMLInputElement).checked })}
        />
        Deleted only
      </label>
      <label for="filter-since">From</label>
      <input
        id="filter-since"
        type="date"
        value={filters.since}
        onChange={(event) => onChange({ ...filters, since: (event.currentTarget as HTMLInputElement).value })}
      />
      <label for="filter-until">To</label>
      <input
        id="filter-until"
        type="date"
        value={filters.until}
        onChange={(event) => onChange({ ...filters, until: (event.currentTarget as HTMLInputElement).value })}
      />
    </fieldset>
  );
}

/** The query of a filtered page (the date range as whole days, `until` inclusive). */
export function filterQuery(filters: Filters): Record<string, string | boolean | undefined> {
  return {
    q: filters.q.trim() || undefined,
    deleted: filters.deleted,
    since: filters.since ? new Date(`${filters.since}T00:00:00`).toISOString() : undefined,
    until: filters.until ? new Date(`${filters.until}T23:59:59.999`).toISOString() : undefined,
  };
}
