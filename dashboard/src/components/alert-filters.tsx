// The filter form: every filter of GET /api/alerts under its own name. Edits are a draft until
// "Apply", which writes them to the URL (and so to the table's query).
import { useEffect, useState } from 'preact/hooks';
import { fromLocalInput, label, toLocalInput } from '../format.js';
import { ENRICHMENT_TYPES, KNOWN_SOURCES, ORIGINS, SEVERITIES, STATUSES } from '../types.js';
import { DEFAULT_SORT, PAGE_SIZES, type Filters, type ViewState } from '../view-state.js';

const HOURS = [
  { value: '', label: 'Any time' },
  { value: '1', label: 'Last hour' },
  { value: '6', label: 'Last 6 hours' },
  { value: '24', label: 'Last 24 hours' },
  { value: '168', label: 'Last 7 days' },
  { value: '720', label: 'Last 30 days' },
];

interface Props {
  view: ViewState;
  onApply: (filters: Filters, sort: string, limit: number) => void;
}

export function AlertFilters({ view, onApply }: Props) {
  const [draft, setDraft] = useState<Filters>(view.filters);
  const [sort, setSort] = useState(view.sort);
  const [limit, setLimit] = useState(view.limit);
  useEffect(() => {
    setDraft(view.filters);
    setSort(view.sort);
    setLimit(view.limit);
  }, [view.filters, view.sort, view.limit]);

  const set = (key: keyof Filters, value: string | undefined) =>
    setDraft((d) => ({ ...d, [key]: value?.trim() ? value.trim() : undefined }));
  const severities = new Set((draft.severity ?? '').split(',').filter(Boolean));
  const toggleSeverity = (severity: string, on: boolean) => {
    const next = SEVERITIES.filter((s) => (s === severity ? on : severities.has(s)));
    set('severity', next.join(','));
  };
  const hoursKnown = HOURS.some((h) => h.value === (draft.hours ?? ''));

  const submit = (event: Event) => {
    event.preventDefault();
    onApply(draft, sort, limit);
  };
  const clear = () => onApply({}, DEFAULT_SORT, limit);

  return (
    <form
      class="filters"
      onSubmit={(e) => void submit(e)}
      aria-label="Alert filters"
      data-testid="alert-filters"
    >
      <fieldset class="severity-set">
        <legend>Severity</legend>
        {SEVERITIES.map((s) => (
          <label key={s} class={`check sev-chip sev-${s}`}>
            <input
              type="checkbox"
              name="severity"
              value={s}
              checked={severities.has(s)}
              onChange={(e) => toggleSeverity(s, e.currentTarget.checked)}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="f-status">Status</label>
        <select
          id="f-status"
          value={draft.status ?? ''}
          onChange={(e) => set('status', e.currentTarget.value)}
        >
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-source">Source</label>
        <input
          id="f-source"
          list="known-sources"
          value={draft.source ?? ''}
          onInput={(e) => set('source', e.currentTarget.value)}
          placeholder="any"
        />
        <datalist id="known-sources">
          {KNOWN_SOURCES.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </div>
      <div class="field narrow">
        <label for="f-country">Country</label>
        <input
          id="f-country"
          value={draft.country ?? ''}
          maxLength={2}
          pattern="[A-Za-z]{2}"
          title="Two-letter ISO 3166 code, e.g. DE"
          placeholder="e.g. DE"
          onInput={(e) => set('country', e.currentTarget.value.toUpperCase())}
        />
      </div>
      <div class="field">
        <label for="f-user">User</label>
        <input
          id="f-user"
          value={draft.user ?? ''}
          onInput={(e) => set('user', e.currentTarget.value)}
          placeholder="any"
        />
      </div>
      <div class="field">
        <label for="f-ip">Address</label>
        <input
          id="f-ip"
          value={draft.ip ?? ''}
          onInput={(e) => set('ip', e.currentTarget.value)}
          title="An IPv4 or IPv6 address or a network (CIDR), on either side of the alert"
          placeholder="e.g. 10.0.0.0/8"
          spellcheck={false}
        />
      </div>
      <div class="field">
        <label for="f-enrichment">Enrichment</label>
        <select
          id="f-enrichment"
          value={draft.enrichment_type ?? ''}
          onChange={(e) => set('enrichment_type', e.currentTarget.value)}
        >
          <option value="">Any</option>
          {ENRICHMENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {label(t)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-origin">Origin</label>
        <select
          id="f-origin"
          value={draft.origin ?? ''}
          onChange={(e) => set('origin', e.currentTarget.value)}
        >
          <option value="">Any</option>
          {ORIGINS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-hours">Created</label>
        <select
          id="f-hours"
          value={draft.hours ?? ''}
          onChange={(e) => set('hours', e.currentTarget.value)}
        >
          {HOURS.map((h) => (
            <option key={h.value} value={h.value}>
              {h.label}
            </option>
          ))}
          {!hoursKnown && <option value={draft.hours}>Last {draft.hours} hours</option>}
        </select>
      </div>
      <div class="field">
        <label for="f-since">From</label>
        <input
          id="f-since"
          type="datetime-local"
          value={toLocalInput(draft.since)}
          onChange={(e) => set('since', fromLocalInput(e.currentTarget.value))}
        />
      </div>
      <div class="field">
        <label for="f-until">Until</label>
        <input
          id="f-until"
          type="datetime-local"
          value={toLocalInput(draft.until)}
          onChange={(e) => set('until', fromLocalInput(e.currentTarget.value))}
        />
      </div>
      <div class="field wide">
        <label for="f-q">Description contains</label>
        <input
          id="f-q"
          type="search"
          value={draft.q ?? ''}
          onInput={(e) => set('q', e.currentTarget.value)}
          placeholder="e.g. port scan"
        />
      </div>
      <div class="field">
        <label for="f-sort">Order</label>
        <select id="f-sort" value={sort} onChange={(e) => setSort(e.currentTarget.value)}>
          <option value="-created_at">Newest first</option>
          <option value="created_at">Oldest first</option>
        </select>
      </div>
      <div class="field narrow">
        <label for="f-limit">Per page</label>
        <select
          id="f-limit"
          value={String(limit)}
          onChange={(e) => setLimit(Number(e.currentTarget.value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button type="button" class="ghost" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
