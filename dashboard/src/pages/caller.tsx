import { useState } from 'preact/hooks';
import type {
  BlockRequest,
  CallerHistory,
  ReplySummary,
  RuleRow,
} from '../../../src/web/api/contract.ts';
import { formatRange } from '../../../src/domain/number-range.ts';
import { api } from '../api.ts';
import { ErrorAlert, errorMessage, Loading, Status } from '../components/alerts.tsx';
import { ContactItem } from '../components/contact-row.tsx';
import { ConfirmDialog } from '../components/dialog.tsx';
import { Page, Section } from '../components/page.tsx';
import { SignalList } from '../components/signal-list.tsx';
import { useResource } from '../data.ts';
import { callerText, replyStatus, words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useCurrency } from '../live.ts';

/** Everything known about one caller: when, how often, what was decided and why. */
export function CallerPage({ params }: { params: Record<string, string> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const caller = useResource<CallerHistory>(`/api/callers/${encodeURIComponent(params.id ?? '')}`);
  const name = caller.data ? callerText(i18n, caller.data.caller, caller.data.nickname) : '';
  return (
    <Page title={name ? t('caller.title', { caller: name }) : t('caller.titleLoading')}>
      <ErrorAlert error={caller.error} />
      {caller.data ? (
        <CallerBody caller={caller.data} onChange={(next) => caller.update(() => next)} />
      ) : caller.loading ? (
        <Loading />
      ) : null}
    </Page>
  );
}

function CallerBody(props: { caller: CallerHistory; onChange(caller: CallerHistory): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const currency = useCurrency();
  const { caller } = props;
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState('');

  const flags: { text: string; tone: string }[] = [];
  if (caller.blocked) flags.push({ text: t('caller.isBlocked'), tone: 'danger' });
  if (caller.allowed) flags.push({ text: t('caller.isAllowed'), tone: 'ok' });
  if (caller.optedOutAt)
    flags.push({
      text: t('caller.optedOut', { date: i18n.dateTime(caller.optedOutAt) }),
      tone: 'neutral',
    });

  return (
    <>
      <dl class="facts facts-wide">
        <div>
          <dt>{t('caller.type')}</dt>
          <dd>{words(i18n, 'numberType', caller.numberType)}</dd>
        </div>
        <div>
          <dt>{t('caller.country')}</dt>
          <dd>{caller.country ?? t('common.unknown')}</dd>
        </div>
        <div>
          <dt>{t('caller.firstSeen')}</dt>
          <dd>{i18n.dateTime(caller.firstSeenAt)}</dd>
        </div>
        <div>
          <dt>{t('caller.lastSeen')}</dt>
          <dd>{i18n.dateTime(caller.lastSeenAt)}</dd>
        </div>
        <div>
          <dt>{t('caller.count')}</dt>
          <dd>{i18n.number(caller.contactCount)}</dd>
        </div>
        <div>
          <dt>{t('caller.flags')}</dt>
          <dd>
            {flags.length
              ? flags.map((flag) => (
                  <span key={flag.text} class={`badge badge-${flag.tone}`}>
                    {flag.text}
                  </span>
                ))
              : t('common.none')}
          </dd>
        </div>
      </dl>
      {caller.caller === 'withheld' ? (
        <p class="hint">{t('caller.withheldCannotBlock')}</p>
      ) : (
        <button
          type="button"
          class={`button button-large ${caller.blocked ? 'button-primary' : 'button-danger'}`}
          onClick={() => setConfirming(true)}
        >
          {t(caller.blocked ? 'caller.unblock' : 'caller.block')}
        </button>
      )}
      {caller.caller === 'withheld' ? null : (
        <button
          type="button"
          class="button button-large"
          onClick={() =>
            void api.post<RuleRow>(`/api/callers/${caller.id}/block-range`, {}).then(
              (rule) => setDone(t('caller.blockRangeDone', { range: formatRange(rule.value) })),
              (error: unknown) => setDone(errorMessage(error, i18n)),
            )
          }
        >
          {t('caller.blockRange')}
        </button>
      )}
      <Status message={done} />
      {confirming ? (
        <ConfirmDialog
          title={t(caller.blocked ? 'caller.unblockTitle' : 'caller.blockTitle')}
          confirmLabel={t(caller.blocked ? 'caller.unblock' : 'caller.block')}
          danger={!caller.blocked}
          onConfirm={async () => {
            const next = await api.post<CallerHistory>(`/api/callers/${caller.id}/block`, {
              blocked: !caller.blocked,
            } satisfies BlockRequest);
            props.onChange(next);
            setDone(t(next.blocked ? 'caller.blockedDone' : 'caller.unblockedDone'));
          }}
          onClose={() => setConfirming(false)}
        >
          <p>{t(caller.blocked ? 'caller.unblockExplain' : 'caller.blockExplain')}</p>
        </ConfirmDialog>
      ) : null}

      <Section id="caller-contacts" title={t('caller.contacts')}>
        <ol class="timeline">
          {caller.contacts.map((contact) => (
            <ContactItem
              key={contact.id}
              contact={contact}
              linkCaller={false}
              onChange={(updated) =>
                props.onChange({
                  ...caller,
                  contacts: caller.contacts.map((c) => (c.id === updated.id ? updated : c)),
                })
              }
            />
          ))}
        </ol>
        {caller.contacts.length ? null : <p>{t('contacts.none')}</p>}
      </Section>

      <Section id="caller-replies" title={t('caller.replies')}>
        {caller.replies.length ? (
          <ul class="cards">
            {caller.replies.map((reply) => (
              <li key={reply.id} class="card reply-card">
                <p>
                  <strong>{replyStatus(i18n, reply, currency)}</strong>
                </p>
                <p class="muted">
                  {t('caller.replyFrom', {
                    number: reply.lineNumber,
                    time: i18n.dateTime(reply.dueAt),
                  })}
                </p>
                <ReplyDetail reply={reply} />
                {reply.signals ? <SignalList signals={reply.signals} /> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('caller.noReplies')}</p>
        )}
      </Section>
    </>
  );
}

/**
 * Decisions whose status line already says all the server's note says: the note (in English, as
 * the logs and the audit keep it) is shown only on the English page, beside the measures.
 */
const SAID_BY_THE_STATUS = new Set([
  'paced',
  'shield',
  'paused',
  'cooldown',
  'opted_out',
  'expired',
  'budget_exhausted',
  'hostile',
  'provider_retry',
]);

/** The server's note on a decision, in English: marked as such on a page in another language. */
function ReplyDetail({ reply }: { reply: ReplySummary }) {
  const { t, lang } = useI18n();
  if (!reply.detail) return null;
  if (lang === 'en') return <p>{t('caller.detail', { detail: reply.detail })}</p>;
  if (reply.reason !== null && SAID_BY_THE_STATUS.has(reply.reason)) return null;
  return (
    <p>
      {t('caller.serverNote')} <span lang="en">{reply.detail}</span>
    </p>
  );
}
