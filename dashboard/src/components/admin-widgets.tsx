// Pieces the admin pages share: an action's outcome line, a secret shown this once (with a copy
// button), and a destructive button that asks again before it acts.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export type Outcome = { kind: 'info' | 'ok' | 'error'; text: string };

/** An outcome as the other panels show theirs: errors as alerts, the rest as status. */
export function OutcomeLine({ outcome, testId }: { outcome?: Outcome; testId: string }) {
  if (!outcome) return null;
  return (
    <p
      class={outcome.kind === 'error' ? 'error' : outcome.kind === 'ok' ? 'ok' : 'muted'}
      role={outcome.kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      {outcome.text}
    </p>
  );
}

interface ShownOnceProps {
  /** The id prefix of its elements (heading, input). */
  id: string;
  title: string;
  /** What the value is ("Signing secret", "API key"). */
  label: string;
  value: string;
  /** How to use it, after the warning. */
  children?: ComponentChildren;
  onDone: () => void;
}

/**
 * A secret the service shows this once: read-only, selected on focus, with a copy button, and
 * focused when it appears so a keyboard or screen-reader user lands on it.
 */
export function ShownOnce({ id, title, label, value, children, onDone }: ShownOnceProps) {
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<Outcome>();
  useLayoutEffect(() => box.current?.focus(), [value]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied({ kind: 'ok', text: 'Copied to the clipboard.' });
    } catch {
      // No clipboard access (an insecure origin, a denied permission): leave it selected.
      input.current?.focus();
      input.current?.select();
      setCopied({ kind: 'info', text: 'Selected: copy it with Ctrl+C (⌘C on a Mac).' });
    }
  };

  return (
    <div
      class="shown-once"
      role="region"
      aria-labelledby={`${id}-title`}
      tabIndex={-1}
      ref={box}
      data-testid={id}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      <p>
        <strong>Copy it now: you will not see it again.</strong> {children}
      </p>
      <div class="inline secret-row">
        <label for={`${id}-value`}>{label}</label>
        <input
          id={`${id}-value`}
          class="mono secret"
          readOnly
          value={value}
          ref={input}
          spellcheck={false}
          autocomplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <OutcomeLine outcome={copied} testId={`${id}-copied`} />
      <button type="button" class="ghost" onClick={onDone}>
        Done, I have stored it
      </button>
    </div>
  );
}

interface ConfirmProps {
  /** The first button's text ("Delete"). */
  label: string;
  /** The second, that acts ("Delete for good"). */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  /** Names what it acts on, for screen readers (an element id). */
  describedBy?: string;
}

/** A destructive action in two steps: the button, then "confirm" or "cancel" (or Escape). */
export function ConfirmButton({ label, confirmLabel, onConfirm, describedBy }: ConfirmProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useLayoutEffect(() => {
    if (asking) confirm.current?.focus();
    else if (asked.current) first.current?.focus();
    asked.current = asking;
  }, [asking]);

  const act = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  if (!asking) {
    return (
      <button
        type="button"
        class="ghost warn"
        ref={first}
        aria-describedby={describedBy}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span
      class="confirm"
      role="group"
      aria-label={`${label}?`}
      onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}
    >
      <button
        type="button"
        class="danger"
        ref={confirm}
        disabled={busy}
        aria-describedby={describedBy}
        onClick={() => void act()}
      >
        {confirmLabel}
      </button>
      <button type="button" class="ghost" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
