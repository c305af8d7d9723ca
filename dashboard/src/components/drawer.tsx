// The frame every drawer shares: a modal dialog over a backdrop (a click on it closes), its
// heading, and a close button that takes the focus on opening; Escape closes too.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  /** The heading's id, which labels the dialog. */
  titleId: string;
  closeLabel: string;
  testId: string;
  onClose: () => void;
  children: ComponentChildren;
}

export function Drawer({ title, titleId, closeLabel, testId, onClose, children }: Props) {
  const closeRef = useRef<HTMLButtonElement>(null);

  useLayoutEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div class="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
      >
        <div class="drawer-head">
          <h2 id={titleId}>{title}</h2>
          <button
            type="button"
            class="ghost"
            onClick={onClose}
            ref={closeRef}
            aria-label={closeLabel}
          >
            ✕
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
