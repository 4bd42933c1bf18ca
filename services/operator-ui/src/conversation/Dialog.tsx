import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog: focus moves into it, Tab stays inside, Escape closes it, and focus goes back to
 * what had it before.
 */
export function Dialog({
  title,
  description,
  onClose,
  children,
  className,
}: {
  title: string;
  /** A line under the title that screen readers read with it (aria-describedby). */
  description?: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const close = useRef(onClose);
  close.current = onClose;
  // Read while rendering: a field with autoFocus takes focus before any effect runs.
  const before = useRef(document.activeElement as HTMLElement | null);

  useEffect(() => {
    const box = ref.current;
    const first = box?.querySelector<HTMLElement>('[autofocus], input, select, textarea, button:not(.dialog-close)');
    (first ?? box)?.focus();
    // Escape closes it also when focus fell out of it (a focused button that went away leaves focus on <body>).
    const onDocumentKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !box?.contains(document.activeElement)) close.current();
    };
    document.addEventListener('keydown', onDocumentKey);
    return () => {
      document.removeEventListener('keydown', onDocumentKey);
      before.current?.focus?.();
    };
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close.current();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex="0"]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="cv-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`cv-dialog ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description === undefined ? undefined : descriptionId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="cv-dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {description !== undefined && (
          <p id={descriptionId} className="muted cv-dialog-description">
            {description}
          </p>
        )}
        {children}
      </div>
    </div>
  );
}

/** A dialog form's error line, then Cancel and its submit button. */
export function FormActions({ error, onCancel, disabled, submit }: { error: string | undefined; onCancel: () => void; disabled: boolean; submit: ReactNode }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="cv-dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={disabled}>
          {submit}
        </button>
      </div>
    </>
  );
}
