import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { ErrorAlert } from './alerts.tsx';

interface ConfirmDialogProps {
  title: string;
  confirmLabel: string;
  /** Runs the change; the dialog stays open with the error if it fails. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  danger?: boolean;
  children?: ComponentChildren;
}

/**
 * A modal question, shown while mounted: the native <dialog> keeps focus inside, Escape cancels,
 * and focus goes back to the button that opened it.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const opener = document.activeElement;
    const element = dialog.current;
    element?.showModal();
    return () => {
      element?.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) props.onClose();
      }}
    >
      <form onSubmit={(event) => void submit(event)}>
        <h2 id={titleId}>{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        <ErrorAlert error={error} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            class={`button ${props.danger ? 'button-danger' : 'button-primary'}`}
            disabled={busy}
          >
            {busy ? t('common.working') : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
