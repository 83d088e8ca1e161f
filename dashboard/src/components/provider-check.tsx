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
      return next.checks.every((c) => c.ok) ? t('lines.checkAllGood', { provider }) : '';
    });

  return (
    <div class="provider-check">
      <button type="button" class="button" onClick={check} disabled={action.busy}>
        {action.busy ? t('common.working') : t('lines.check', { provider })}
      </button>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      {result && result.checks.some((c) => !c.ok) ? (
        <p class="alert alert-warning">{t('lines.checkSomeFailed', { provider })}</p>
      ) : null}
      {result ? (
        <ul class="check-list">
          {result.checks.map((c) => (
            <li key={c.id} class={c.ok ? 'check-ok' : 'check-fail'}>
              <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span>{' '}
              <CheckText check={c} provider={provider} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

type OneCheck = LineCheck['checks'][number];

/** One check in the reader's language, from its id, its reason and the addresses found wrong. */
function CheckText({ check, provider }: { check: OneCheck; provider: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const said = (key: string) => (i18n.has(key) ? i18n.t(key, { provider }) : null);
  if (check.ok) return <>{said(`lines.check.${check.id}.ok`) ?? check.message}</>;
  if (check.reason === 'wrong_webhooks' && check.wrong)
    return (
      <>
        {t('lines.check.wrongWebhooks')}
        <ul>
          {check.wrong.map((w) => (
            <li key={w.name}>
              {t('lines.check.wrongAddress', {
                what: words(i18n, 'lines.webhook', w.purpose),
                found: w.found ?? t('lines.check.nowhere'),
              })}
              {w.found && w.method && w.method.toUpperCase() !== 'POST'
                ? ` ${t('lines.check.notPost', { method: w.method.toUpperCase() })}`
                : ''}
            </li>
          ))}
        </ul>
      </>
    );
  return (
    <>
      {said(`lines.check.reason.${check.reason ?? ''}`) ?? (
        <span translate={false}>{check.message}</span>
      )}
    </>
  );
}
