import { useState } from 'preact/hooks';
import type { LineCheck, LineDetail } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';

/**
 * Asks the line's provider, on demand, what `nonmerci doctor` asks it: do the credentials work, is
 * the number on the account, do its webhooks point here. Each check is said in the reader's
 * language; the provider's own words (an error it gave) follow as they were written.
 */
export function ProviderCheck(props: { line: LineDetail }) {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  const [result, setResult] = useState<LineCheck | null>(null);
  const provider = words(i18n, 'provider', props.line.provider);

  const check = () =>
    void action.run(async () => {
      setResult(null);
      const next = await api.post<LineCheck>(`/api/lines/${props.line.id}/check`, {});
      setResult(next);
      return next.checks.every((c) => c.ok)
        ? t('lines.checkAllGood', { provider })
        : t('lines.checkSomeFailed', { provider });
    });

  return (
    <div class="provider-check">
      <button type="button" class="button" onClick={check} disabled={action.busy}>
        {action.busy ? t('common.working') : t('lines.check', { provider })}
      </button>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      {result ? (
        <ul class="check-list">
          {result.checks.map((c) => {
            const key = `lines.check.${c.id}.${c.ok ? 'ok' : 'fail'}`;
            return (
              <li key={c.id} class={c.ok ? 'check-ok' : 'check-fail'}>
                <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span>{' '}
                {i18n.has(key) ? t(key, { provider }) : null}
                {!c.ok || !i18n.has(key) ? (
                  <span class="muted" translate={false}>
                    {' '}
                    {c.message}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
