import type { SimulatorInbox } from '../../../src/web/api/contract.ts';
import { useNow, usePolling } from '../data.ts';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert } from './alerts.tsx';

const POLL_MS = 2_000;

/** What the pretend phone received, and when the consent SMS will come (or why it won't). */
export function SimulatorInboxView(props: { lineId: number; from: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const now = useNow(1_000);
  const inbox = usePolling<SimulatorInbox>(
    `/api/simulator/inbox?lineId=${props.lineId}&from=${encodeURIComponent(props.from)}`,
    POLL_MS,
  );
  const reply = inbox.data?.reply ?? null;

  let expected = '';
  if (reply?.state === 'scheduled' && !reply.reason) {
    const seconds = Math.max(0, Math.ceil((reply.dueAt - now) / 1000));
    expected = t('sim.dueIn', {
      time: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`,
      at: i18n.time(reply.dueAt),
    });
  } else if (reply?.state === 'scheduled' || reply?.state === 'sending') {
    expected = reply.reason ? words(i18n, 'held', reply.reason) : t('reply.sending');
  } else if (reply && reply.state !== 'sent') {
    expected = reply.reason ? words(i18n, 'reason', reply.reason) : t('reply.notSent');
  }

  return (
    <div class="sim-inbox">
      <h2>{t('sim.inbox')}</h2>
      <ErrorAlert error={inbox.error} />
      <ol class="bubbles" aria-live="polite">
        {(inbox.data?.messages ?? []).map((message, index) => (
          <li key={`${message.at}-${index}`} class="bubble">
            <p>{message.body}</p>
            <p class="bubble-meta">
              {i18n.time(message.at)} · {message.segments}{' '}
              {i18n.tn('count.segmentWord', message.segments)}
            </p>
          </li>
        ))}
      </ol>
      {inbox.data && !inbox.data.messages.length ? <p class="muted">{t('sim.empty')}</p> : null}
      {expected ? <p class="sim-expected">{expected}</p> : null}
    </div>
  );
}
