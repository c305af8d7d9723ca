// The "History and notes" section of a drawer (an alert's, an incident's): its append-only
// entries, newest last, each with who made it and when, and what follows them (a note form).
import type { ComponentChildren } from 'preact';
import { errorMessage } from '../api.js';
import { dateTime, label, relative } from '../format.js';
import type { Resource } from '../hooks.js';
import type { HistoryEntry } from '../types.js';

/** What the alerts' and the incidents' history entries have in common. */
type Entry = Pick<HistoryEntry, 'id' | 'at' | 'actor' | 'from' | 'to' | 'resolution' | 'note'> & {
  field: string | null;
};

interface Props<E extends Entry> {
  /** The heading's id (the section is labelled by it). */
  titleId: string;
  testId: string;
  history: Resource<{ history: E[] }>;
  /** An entry in words; `describeChange` for the fields both have. */
  describe: (entry: E) => string;
  children?: ComponentChildren;
}

export function HistorySection<E extends Entry>({
  titleId,
  testId,
  history,
  describe,
  children,
}: Props<E>) {
  return (
    <section aria-labelledby={titleId}>
      <h3 id={titleId}>History and notes</h3>
      {history.error !== undefined && <p class="error">{errorMessage(history.error)}</p>}
      <ol class="history" data-testid={testId}>
        {(history.data?.history ?? []).map((h) => (
          <li key={h.id}>
            <span class="muted" title={dateTime(h.at)}>
              {relative(h.at)}
            </span>{' '}
            <strong>{h.actor.username}</strong> {describe(h)}
            {h.note && <blockquote>{h.note}</blockquote>}
          </li>
        ))}
        {history.data && history.data.history.length === 0 && (
          <li class="muted">No changes yet.</li>
        )}
      </ol>
      {children}
    </section>
  );
}

/** A note, an assignment or a status change in words (the entries alerts and incidents share). */
export function describeChange(h: Entry): string {
  if (h.field === null) return 'added a note';
  if (h.field === 'assignee') {
    return h.to
      ? `assigned it to ${h.to}${h.from ? ` (was ${h.from})` : ''}`
      : `unassigned ${h.from ?? ''}`;
  }
  const resolution = h.resolution ? ` as ${label(h.resolution)}` : '';
  return `changed status ${h.from ?? '–'} → ${h.to ?? '–'}${resolution}`;
}
