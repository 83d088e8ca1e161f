import { useState } from 'preact/hooks';
import type { ChainStatus, ChainVerdict } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, Status } from './alerts.tsx';
import { CopyField } from './copy-field.tsx';

/** Walks the whole hash chain on demand (it reads every entry, so never on page load). */
export function ChainCheck() {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  const [status, setStatus] = useState<ChainStatus | null>(null);
  const verdict = status?.verdict;

  const verify = () =>
    void action.run(async () => {
      setStatus(null);
      const next = await api.get<ChainStatus>('/api/evidence/verify');
      setStatus(next);
      return next.verdict.intact
        ? t('evidence.intactSummary', { count: i18n.tn('count.entries', next.verdict.count) })
        : '';
    });

  return (
    <>
      <p>{t('evidence.chainIntro')}</p>
      <div class="tool-bar">
        <button
          type="button"
          class="button button-primary"
          onClick={verify}
          disabled={action.busy}
          aria-describedby={status ? 'chain-checked-at' : undefined}
        >
          {action.busy ? t('common.working') : t('evidence.verify')}
        </button>
        {status ? (
          <span class="muted" id="chain-checked-at">
            {t('evidence.checkedAt', { time: i18n.dateTime(status.checkedAt) })}
          </span>
        ) : null}
      </div>
      <ErrorAlert error={action.error} />
      {/* The intact summary is announced here; a broken chain is announced as an alert below. */}
      <Status message={action.done} className="visually-hidden" />
      {verdict ? <Verdict verdict={verdict} /> : null}
    </>
  );
}

function Verdict({ verdict }: { verdict: ChainVerdict }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (!verdict.intact)
    return (
      <div class="callout callout-danger" role="alert" data-testid="chain-broken">
        <p class="callout-title">{t('evidence.brokenTitle')}</p>
        <p>{t('evidence.brokenAt', { seq: i18n.number(verdict.seq), message: verdict.message })}</p>
        <p>{t('evidence.brokenExplain')}</p>
        <p>{t('evidence.brokenTodo')}</p>
      </div>
    );
  return (
    <div class="callout callout-ok" data-testid="chain-intact">
      <p class="callout-title">{t('evidence.intactTitle')}</p>
      <dl class="facts">
        <div>
          <dt>{t('evidence.entries')}</dt>
          <dd class="numeric" data-testid="chain-count">
            {i18n.number(verdict.count)}
          </dd>
        </div>
        <div>
          <dt>{t('evidence.headSeq')}</dt>
          <dd class="numeric">{i18n.number(verdict.headSeq)}</dd>
        </div>
        <div>
          <dt>{t('evidence.erasedCount')}</dt>
          <dd class="numeric">{i18n.number(verdict.erased)}</dd>
        </div>
        <div>
          <dt>{t('evidence.pending')}</dt>
          <dd class="numeric">{i18n.number(verdict.pending)}</dd>
        </div>
      </dl>
      <CopyField
        label={t('evidence.head')}
        value={verdict.head}
        copied={t('evidence.headCopied')}
      />
    </div>
  );
}
