// A webhook subscription's form: a new one (POST /api/webhooks; the signing secret in the answer
// is shown here once) or changes to one (PATCH /api/webhooks/{id}): the receiver, the events, the
// alert list's filters (without the time window), the body format. The receiver's URL is never
// shown whole (a Slack URL's path is its password): editing leaves it as it is unless a new one is
// typed.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, send } from '../api.js';
import { label, maskedUrl } from '../format.js';
import {
  ENRICHMENT_TYPES,
  KNOWN_SOURCES,
  ORIGINS,
  SEVERITIES,
  STATUSES,
  WEBHOOK_EVENTS,
  WEBHOOK_FORMATS,
  type CreatedWebhook,
  type NewWebhook,
  type Severity,
  type Webhook,
  type WebhookChanges,
  type WebhookEvent,
  type WebhookFormat,
} from '../types.js';
import { ShownOnce } from './admin-widgets.js';

const TEXT_FILTERS = [
  'status',
  'source',
  'country',
  'user',
  'enrichment_type',
  'origin',
  'q',
] as const;
type TextFilter = (typeof TEXT_FILTERS)[number];

interface Draft extends Record<TextFilter, string> {
  url: string;
  events: WebhookEvent[];
  severity: Severity[];
  format: WebhookFormat;
  enabled: boolean;
}

const EMPTY: Draft = {
  url: '',
  events: ['alert.created'],
  severity: [],
  status: '',
  source: '',
  country: '',
  user: '',
  enrichment_type: '',
  origin: '',
  q: '',
  format: 'standard',
  enabled: true,
};

const EVENT_HINTS: Record<WebhookEvent, string> = {
  'alert.created': 'a new alert',
  'alert.changed': 'its status, assignee or resolution changed',
};
const FORMAT_LABELS: Record<WebhookFormat, string> = {
  standard: 'Standard JSON ({type, timestamp, data: {alerts}})',
  slack: 'Slack message (incoming webhook)',
};

/** The filter with only the conditions set (none: every alert). */
function filterOf(draft: Draft): NonNullable<NewWebhook['filter']> {
  const filter: NonNullable<NewWebhook['filter']> = {};
  if (draft.severity.length) {
    filter.severity = SEVERITIES.filter((s) => draft.severity.includes(s)).join(',');
  }
  for (const key of TEXT_FILTERS) {
    const value = draft[key].trim();
    if (value) (filter as Record<TextFilter, string>)[key] = value;
  }
  return filter;
}

function newBody(draft: Draft): NewWebhook {
  const filter = filterOf(draft);
  return {
    url: draft.url.trim(),
    events: WEBHOOK_EVENTS.filter((e) => draft.events.includes(e)),
    ...(Object.keys(filter).length ? { filter } : {}),
    format: draft.format,
    enabled: draft.enabled,
  };
}

/**
 * The changes: the events, the filter (replaced whole) and the format as the form holds them; the
 * URL if one was typed; `enabled` if it was switched here (the list's Enable and Disable, or a
 * pause meanwhile, are not undone by a save).
 */
function changesBody(draft: Draft, original: Webhook): WebhookChanges {
  const url = draft.url.trim();
  return {
    ...(url ? { url } : {}),
    events: WEBHOOK_EVENTS.filter((e) => draft.events.includes(e)),
    filter: filterOf(draft),
    format: draft.format,
    ...(draft.enabled !== original.enabled ? { enabled: draft.enabled } : {}),
  };
}

/** The form filled with a subscription as it is (its URL left empty: unchanged). */
function draftOf(webhook: Webhook): Draft {
  const text = (value: string | null | undefined) => value ?? '';
  return {
    url: '',
    events: [...webhook.events],
    severity: [...(webhook.filter.severity ?? [])],
    status: text(webhook.filter.status),
    source: text(webhook.filter.source),
    country: text(webhook.filter.country),
    user: text(webhook.filter.user),
    enrichment_type: text(webhook.filter.enrichment_type),
    origin: text(webhook.filter.origin),
    q: text(webhook.filter.q),
    format: webhook.format,
    enabled: webhook.enabled,
  };
}

interface Props {
  /** The subscription to change; none: a new one. */
  editing?: Webhook;
  /** After a create or a save, with the subscription as the service answered. */
  onSaved: (webhook: Webhook) => void;
  /** Leaves editing (shown only while editing). */
  onCancel?: () => void;
}

export function WebhookForm({ editing, onSaved, onCancel }: Props) {
  /** The subscription as it was when the form opened (the list refreshes meanwhile). */
  const [opened] = useState(editing);
  const [draft, setDraft] = useState<Draft>(() => (opened ? draftOf(opened) : EMPTY));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook>();
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a subscription to edit takes the focus to the form, with the change on screen.
  useLayoutEffect(() => {
    if (editing) heading.current?.focus();
  }, [editing?.id]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const toggle = <T extends string>(values: T[], value: T, on: boolean): T[] =>
    on ? [...values.filter((v) => v !== value), value] : values.filter((v) => v !== value);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (draft.events.length === 0) {
      setError('Choose at least one event.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (editing) {
        const path = `/api/webhooks/${encodeURIComponent(editing.id)}`;
        onSaved(await send<Webhook>('PATCH', path, changesBody(draft, opened ?? editing)));
      } else {
        const subscription = await send<CreatedWebhook>('POST', '/api/webhooks', newBody(draft));
        setCreated(subscription);
        setDraft(EMPTY);
        onSaved(subscription);
      }
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  const submitLabel = editing
    ? { idle: 'Save changes', busy: 'Saving…' }
    : { idle: 'Create subscription', busy: 'Creating…' };
  const textField = (key: TextFilter, text: string, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={`webhook-${key}`}>{text}</label>
      <input
        id={`webhook-${key}`}
        value={draft[key]}
        placeholder="any"
        {...extra}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
    </div>
  );
  const selectField = (key: TextFilter, text: string, values: readonly string[]) => (
    <div class="field">
      <label for={`webhook-${key}`}>{text}</label>
      <select
        id={`webhook-${key}`}
        value={draft[key]}
        onChange={(e) => set(key, e.currentTarget.value)}
      >
        <option value="">Any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {label(v)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section id="webhook-form" class="panel" aria-labelledby="webhook-form-title">
      <h2 id="webhook-form-title" tabIndex={-1} ref={heading}>
        {editing ? `Edit the subscription to ${maskedUrl(editing.url)}` : 'New subscription'}
      </h2>
      {created && (
        <ShownOnce
          id="webhook-secret"
          title={`Signing secret of ${maskedUrl(created.url)}`}
          label="Signing secret"
          value={created.secret}
          onDone={() => setCreated(undefined)}
        >
          The receiver checks each message&apos;s <code>webhook-signature</code> with it (Standard
          Webhooks); Vigil keeps it only to sign.
        </ShownOnce>
      )}
      <form
        class="admin-form"
        onSubmit={(e) => void submit(e)}
        aria-labelledby="webhook-form-title"
        data-testid="webhook-form"
      >
        <div class="field wide">
          <label for="webhook-url">Receiver URL</label>
          <input
            id="webhook-url"
            type="url"
            required={!editing}
            maxLength={2048}
            spellcheck={false}
            autocomplete="off"
            placeholder={
              editing
                ? `unchanged: ${maskedUrl(editing.url)}`
                : 'https://soar.example.com/hooks/vigil'
            }
            aria-describedby="webhook-url-hint"
            value={draft.url}
            onInput={(e) => set('url', e.currentTarget.value)}
          />
          <small id="webhook-url-hint" class="muted">
            {editing ? 'Empty: the receiver stays as it is. ' : ''}http or https. The list shows
            only its start: a Slack URL&apos;s path is its password.
          </small>
        </div>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e} class="check" title={EVENT_HINTS[e]}>
              <input
                type="checkbox"
                name="events"
                value={e}
                checked={draft.events.includes(e)}
                onChange={(ev) => set('events', toggle(draft.events, e, ev.currentTarget.checked))}
              />
              {e}
            </label>
          ))}
        </fieldset>
        <fieldset class="severity-set">
          <legend>Severity (none: any)</legend>
          {SEVERITIES.map((s) => (
            <label key={s} class={`check sev-chip sev-${s}`}>
              <input
                type="checkbox"
                name="severity"
                value={s}
                checked={draft.severity.includes(s)}
                onChange={(ev) =>
                  set('severity', toggle(draft.severity, s, ev.currentTarget.checked))
                }
              />
              {s}
            </label>
          ))}
        </fieldset>
        {selectField('status', 'Status', STATUSES)}
        {textField('source', 'Source', { list: 'webhook-known-sources' })}
        <datalist id="webhook-known-sources">
          {KNOWN_SOURCES.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        {textField('country', 'Country', {
          maxLength: 2,
          pattern: '[A-Za-z]{2}',
          title: 'Two-letter ISO 3166 code, e.g. DE',
          placeholder: 'e.g. DE',
        })}
        {textField('user', 'User')}
        {selectField('enrichment_type', 'Enrichment', ENRICHMENT_TYPES)}
        {selectField('origin', 'Origin', ORIGINS)}
        {textField('q', 'Description contains', { type: 'search', placeholder: 'e.g. port scan' })}
        <div class="field">
          <label for="webhook-format">Format</label>
          <select
            id="webhook-format"
            value={draft.format}
            onChange={(e) => set('format', e.currentTarget.value as WebhookFormat)}
          >
            {WEBHOOK_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => set('enabled', e.currentTarget.checked)}
          />
          Enabled
        </label>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? submitLabel.busy : submitLabel.idle}
          </button>
          {editing && (
            <button type="button" class="ghost" disabled={busy} onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
        {error && (
          <p class="error" role="alert" data-testid="webhook-form-error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
