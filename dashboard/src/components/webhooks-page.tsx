// Webhook subscriptions (admins; `?page=webhooks`): the list, with each receiver's URL cut short
// (a Slack URL's path is its password), the actions on each (test, edit, enable or disable,
// delivery log, delete), and the form that creates one (showing its signing secret once) or
// changes one.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, get, remove, send } from '../api.js';
import { count, dateTime, label, maskedUrl, relative } from '../format.js';
import { useNow, useResource } from '../hooks.js';
import type { Delivery, Webhook, WebhookFilter, WebhookList } from '../types.js';
import type { Navigate } from '../use-view.js';
import type { ViewState } from '../view-state.js';
import { ConfirmButton, OutcomeLine, type Outcome } from './admin-widgets.js';
import { DeliveryLog } from './webhook-deliveries.js';
import { WebhookForm } from './webhook-form.js';

/** The list is read again this often (a failing subscription may be paused meanwhile). */
const REFRESH_MS = 10_000;

interface Props {
  view: ViewState;
  navigate: Navigate;
}

/** What a subscription's filter lets through, in words. */
export function filterSummary(filter: WebhookFilter): string {
  const parts: string[] = [];
  if (filter.severity?.length) parts.push(`severity ${filter.severity.join(', ')}`);
  if (filter.status) parts.push(`status ${filter.status}`);
  if (filter.source) parts.push(`source ${filter.source}`);
  if (filter.country) parts.push(`country ${filter.country}`);
  if (filter.user) parts.push(`user ${filter.user}`);
  if (filter.enrichment_type) parts.push(label(filter.enrichment_type));
  if (filter.origin) parts.push(`origin ${filter.origin}`);
  if (filter.q) parts.push(`description contains “${filter.q}”`);
  return parts.length ? parts.join(' · ') : 'every alert';
}

function testOutcome(webhook: Webhook, delivery: Delivery): Outcome {
  const to = `Test message to ${maskedUrl(webhook.url)}`;
  const answer =
    delivery.last_status_code == null ? 'no answer' : `HTTP ${delivery.last_status_code}`;
  const took = delivery.latency_ms == null ? '' : ` in ${count(delivery.latency_ms)} ms`;
  if (delivery.status === 'delivered') {
    return { kind: 'ok', text: `${to} delivered: ${answer}${took}.` };
  }
  if (delivery.status === 'failed') {
    return { kind: 'error', text: `${to} failed: ${delivery.last_error ?? answer}${took}.` };
  }
  return { kind: 'info', text: `${to} is ${delivery.status}.` };
}

function State({ webhook, now }: { webhook: Webhook; now: number }) {
  if (webhook.enabled) {
    return (
      <>
        <span class="state state-on">enabled</span>
        {webhook.consecutive_failures > 0 && (
          <small class="muted"> · {count(webhook.consecutive_failures)} failed in a row</small>
        )}
      </>
    );
  }
  if (webhook.paused_at) {
    return (
      <>
        <span class="state state-paused">paused</span>{' '}
        <small class="muted" title={dateTime(webhook.paused_at)}>
          {relative(webhook.paused_at, now)}
        </small>
        {webhook.paused_reason && (
          <span class="paused-reason" data-testid="paused-reason">
            {webhook.paused_reason}
          </span>
        )}
      </>
    );
  }
  return <span class="state state-off">disabled</span>;
}

export function WebhooksPage({ view, navigate }: Props) {
  const list = useResource((signal) => get<WebhookList>('/api/webhooks', signal), [], REFRESH_MS);
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState<string>();
  /** Bumped after a test message, so the open delivery log shows it. */
  const [logVersion, setLogVersion] = useState(0);
  // Re-rendered every 15 s; read the clock itself so a change made a moment ago is not "in 2 s".
  const now = Math.max(useNow(15_000), Date.now());
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);
  /** The subscription in the form, and the one whose Edit button gets the focus back after. */
  const [editingId, setEditingId] = useState<string>();
  const [refocus, setRefocus] = useState<string>();
  useLayoutEffect(() => {
    if (!refocus) return;
    document
      .querySelector<HTMLButtonElement>(`tr[data-webhook-id="${refocus}"] button[data-edit]`)
      ?.focus();
    setRefocus(undefined);
  }, [refocus]);

  const webhooks = list.data?.webhooks ?? [];
  const open = webhooks.find((w) => w.id === view.webhook);
  const editing = webhooks.find((w) => w.id === editingId);
  const stopEditing = (id: string) => {
    setEditingId(undefined);
    setRefocus(id);
  };
  const saved = (webhook: Webhook) => {
    list.reload();
    if (!editing) return;
    setOutcome({ kind: 'ok', text: `Subscription to ${maskedUrl(webhook.url)} saved.` });
    stopEditing(webhook.id);
  };
  const showLog = (id?: string) => navigate({ ...view, webhook: id }, false, '');

  const act = async (webhook: Webhook, action: () => Promise<Outcome>) => {
    setBusy(webhook.id);
    try {
      setOutcome(await action());
    } catch (error) {
      setOutcome({ kind: 'error', text: errorMessage(error) });
    } finally {
      setBusy(undefined);
      list.reload();
    }
  };
  const path = (webhook: Webhook) => `/api/webhooks/${encodeURIComponent(webhook.id)}`;

  const sendTest = (webhook: Webhook) =>
    act(webhook, async () => {
      const delivery = await send<Delivery>('POST', `${path(webhook)}/test`);
      setLogVersion((v) => v + 1);
      return testOutcome(webhook, delivery);
    });
  const toggle = (webhook: Webhook) =>
    act(webhook, async () => {
      const saved = await send<Webhook>('PATCH', path(webhook), { enabled: !webhook.enabled });
      return {
        kind: 'ok',
        text: `Subscription to ${maskedUrl(saved.url)} ${saved.enabled ? 'enabled' : 'disabled'}.`,
      };
    });
  const destroy = (webhook: Webhook) =>
    act(webhook, async () => {
      await remove(path(webhook));
      if (view.webhook === webhook.id) navigate({ ...view, webhook: undefined }, true, '');
      return { kind: 'ok', text: `Subscription to ${maskedUrl(webhook.url)} deleted.` };
    });

  return (
    <>
      <section id="webhooks" class="panel" aria-labelledby="webhooks-title">
        <div class="panel-head">
          <h2 id="webhooks-title" tabIndex={-1} ref={heading}>
            Webhook subscriptions
          </h2>
          <span class="muted" aria-live="polite">
            {list.data
              ? `${count(webhooks.length)} subscription${webhooks.length === 1 ? '' : 's'}`
              : '…'}
            {list.loading && <span class="spinner" aria-label="Loading" />}
          </span>
          <button type="button" class="ghost" onClick={list.reload}>
            Refresh list
          </button>
        </div>
        <p class="muted">
          Each subscription receives the alerts matching its filter as they are created or changed,
          as signed POSTs (Standard Webhooks), retried until delivered. One that keeps failing is
          paused; enable it again once its receiver is back.
        </p>
        {list.error !== undefined && (
          <p class="error" role="alert">
            {errorMessage(list.error)}
          </p>
        )}
        <OutcomeLine outcome={outcome} testId="webhook-outcome" />
        <div class="scroll">
          <table class="admin-table" data-testid="webhooks-table" aria-busy={list.loading}>
            <thead>
              <tr>
                <th scope="col">Receiver</th>
                <th scope="col">Events</th>
                <th scope="col">Filter</th>
                <th scope="col">Format</th>
                <th scope="col">State</th>
                <th scope="col" class="roomy-only">
                  Created
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {webhooks.map((webhook) => (
                <tr
                  key={webhook.id}
                  data-webhook-id={webhook.id}
                  class={open?.id === webhook.id || editing?.id === webhook.id ? 'current' : ''}
                >
                  <td id={`webhook-${webhook.id}`} class="mono" data-testid="webhook-url">
                    {maskedUrl(webhook.url)}
                  </td>
                  <td>
                    {webhook.events.map((event) => (
                      <span key={event} class="tag event">
                        {event}
                      </span>
                    ))}
                  </td>
                  <td data-testid="webhook-filter">{filterSummary(webhook.filter)}</td>
                  <td>{webhook.format}</td>
                  <td data-testid="webhook-state">
                    <State webhook={webhook} now={now} />
                  </td>
                  <td class="roomy-only" title={dateTime(webhook.created_at)}>
                    {relative(webhook.created_at, now)}
                    {webhook.created_by && <span class="muted"> by {webhook.created_by}</span>}
                  </td>
                  <td class="actions-cell">
                    <div class="row-actions">
                      <button
                        type="button"
                        aria-describedby={`webhook-${webhook.id}`}
                        disabled={busy === webhook.id}
                        onClick={() => void sendTest(webhook)}
                      >
                        Send test
                      </button>
                      <button
                        type="button"
                        class="ghost"
                        data-edit
                        aria-describedby={`webhook-${webhook.id}`}
                        aria-expanded={editing?.id === webhook.id}
                        aria-controls="webhook-form"
                        onClick={() => setEditingId(webhook.id)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="ghost"
                        aria-describedby={`webhook-${webhook.id}`}
                        disabled={busy === webhook.id}
                        onClick={() => void toggle(webhook)}
                      >
                        {webhook.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        class="ghost"
                        aria-describedby={`webhook-${webhook.id}`}
                        aria-expanded={open?.id === webhook.id}
                        onClick={() => showLog(open?.id === webhook.id ? undefined : webhook.id)}
                      >
                        Deliveries
                      </button>
                      <ConfirmButton
                        label="Delete"
                        confirmLabel="Delete for good"
                        describedBy={`webhook-${webhook.id}`}
                        onConfirm={() => destroy(webhook)}
                      />
                    </div>
                  </td>
                </tr>
              ))}
              {list.data && webhooks.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    No subscription yet: create one below.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
      {open && (
        <DeliveryLog
          key={open.id}
          webhook={open}
          version={logVersion}
          onClose={() => showLog(undefined)}
        />
      )}
      <WebhookForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={saved}
        onCancel={() => editing && stopEditing(editing.id)}
      />
    </>
  );
}
