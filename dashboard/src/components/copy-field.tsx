import { useId, useState } from 'preact/hooks';
import { useI18n } from '../i18n.ts';
import { Status } from './alerts.tsx';

/** A read-only value (a webhook URL, a fingerprint) with a button that copies it. */
export function CopyField({
  label,
  value,
  copied,
  testId,
  consoleName,
}: {
  label: string;
  /** The field's name in a provider's console, shown as written there (in English). */
  consoleName?: string;
  value: string;
  /** Said once copied; "Address copied" by default. */
  copied?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const [message, setMessage] = useState('');

  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setMessage(copied ?? t('copy.done')),
      () => setMessage(t('copy.failed')),
    );
  };

  return (
    <div class="field copy-field">
      <label for={id}>
        {label}
        {consoleName ? (
          <span class="muted">
            {' '}
            (<span lang="en">{consoleName}</span>)
          </span>
        ) : null}
      </label>
      <div class="copy-row">
        <input
          id={id}
          type="text"
          readOnly
          value={value}
          data-testid={testId}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="button" onClick={copy}>
          {t('copy.button')}
          <span class="visually-hidden"> {label}</span>
        </button>
      </div>
      <Status message={message} />
    </div>
  );
}
