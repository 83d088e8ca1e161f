import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  ContactRow,
  ContactText,
  EvidenceRequest,
  QuoteRequest,
} from '../../../src/web/api/contract.ts';
import { api } from '../api.ts';
import { callerText, contactStatus, labelsText, words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useCurrency } from '../live.ts';
import { Link } from '../router.tsx';
import { ErrorAlert } from './alerts.tsx';

const KIND_ICON = { call: '☎', text: '✉' } as const;
/** Neutral filler drawn blurred where a withheld text would be: its shape, never its words. */
const BLURRED_FILLER = 'Xxxxx xx xxxxxxx xxx xxxxx, xxxxxx xxx xxxx xxxxxxxx.';

interface ContactItemProps {
  contact: ContactRow;
  onChange: (contact: ContactRow) => void;
  /** Off on the caller's own page, where the link would lead back to itself. */
  linkCaller?: boolean;
}

/** One call or text, as a list item: shared by the timeline and a caller's history. */
export function ContactItem({ contact, onChange, linkCaller = true }: ContactItemProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const currency = useCurrency();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const post = async (path: 'evidence' | 'quote', body: EvidenceRequest | QuoteRequest) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await api.post<ContactRow>(`/api/contacts/${contact.id}/${path}`, body));
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  };
  const toggleEvidence = () => post('evidence', { evidence: !contact.evidence });
  const toggleQuoted = () => post('quote', { quoted: !contact.quoted });

  return (
    <li class={`contact ${contact.labels.length ? 'contact-flagged' : ''}`}>
      <div class="contact-meta">
        <time dateTime={new Date(contact.at).toISOString()}>{i18n.dateTime(contact.at)}</time>
        <span class="contact-kind">
          <span aria-hidden="true">{KIND_ICON[contact.kind]} </span>
          {t(contact.kind === 'call' ? 'contact.call' : 'contact.text')}
        </span>
        <span>{t('contact.onLine', { number: contact.lineNumber })}</span>
        <span class="contact-caller">
          {linkCaller ? (
            <Link href={`/callers/${contact.callerId}`}>
              {callerText(i18n, contact.caller, contact.nickname)}
              <span class="visually-hidden"> ({t('contact.callerHistory')})</span>
            </Link>
          ) : (
            callerText(i18n, contact.caller, contact.nickname)
          )}
        </span>
        {contact.callerBlocked ? (
          <span class="badge badge-danger">{t('contact.blocked')}</span>
        ) : null}
        {contact.labels.map((label) => (
          <span key={label} class="badge badge-label">
            {words(i18n, 'label', label)}
          </span>
        ))}
      </div>
      {contact.hidden ? (
        <WithheldText contact={contact} onError={setError} />
      ) : contact.body !== null ? (
        <p class="contact-text" translate={false}>
          {contact.body}
        </p>
      ) : null}
      <div class="contact-foot">
        <p class="contact-status">{contactStatus(i18n, contact, currency)}</p>
        <button
          type="button"
          class={`button button-small evidence ${contact.evidence ? 'evidence-on' : ''}`}
          aria-pressed={contact.evidence}
          disabled={busy}
          onClick={() => void toggleEvidence()}
        >
          <span aria-hidden="true">{contact.evidence ? '★ ' : '☆ '}</span>
          {t('contact.evidence')}
        </button>
        {contact.kind === 'text' && (contact.body !== null || contact.hidden) ? (
          <button
            type="button"
            class={`button button-small evidence ${contact.quoted ? 'evidence-on' : ''}`}
            aria-pressed={contact.quoted}
            title={t('contact.quoteHint')}
            disabled={busy}
            onClick={() => void toggleQuoted()}
          >
            <span aria-hidden="true">{contact.quoted ? '❝ ' : '“ '}</span>
            {t('contact.quote')}
          </button>
        ) : null}
      </div>
      <ErrorAlert error={error} />
    </li>
  );
}

/** A labelled text stays blurred until someone chooses to read it. */
function WithheldText(props: { contact: ContactRow; onError(error: unknown): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [text, setText] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const showButton = useRef<HTMLButtonElement>(null);
  const hideButton = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);

  // Keep keyboard focus on the button that replaced the one just pressed.
  useEffect(() => {
    if (!moved.current) return;
    (text === null ? showButton : hideButton).current?.focus();
  }, [text]);

  const reveal = async () => {
    setLoading(true);
    props.onError(null);
    try {
      const { body } = await api.get<ContactText>(`/api/contacts/${props.contact.id}/text`);
      moved.current = true;
      setText(body);
    } catch (reason) {
      props.onError(reason);
    } finally {
      setLoading(false);
    }
  };

  if (text !== null) {
    return (
      <div class="withheld withheld-open">
        <p class="contact-text" data-testid="revealed-text" translate={false}>
          {text}
        </p>
        <button
          type="button"
          class="button button-small"
          ref={hideButton}
          onClick={() => {
            moved.current = true;
            setText(null);
          }}
        >
          {t('contact.hide')}
        </button>
      </div>
    );
  }
  const labels = props.contact.labels;
  return (
    <div class="withheld">
      <p class="contact-text blurred" aria-hidden="true">
        {BLURRED_FILLER}
      </p>
      <button
        type="button"
        class="button button-small"
        ref={showButton}
        disabled={loading}
        onClick={() => void reveal()}
      >
        {labels.length
          ? t('contact.reveal', { labels: labelsText(i18n, labels) })
          : t('contact.revealPlain')}
      </button>
    </div>
  );
}
