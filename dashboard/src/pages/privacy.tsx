import { useRef, useState } from 'preact/hooks';
import type { PrivacyEraseResult, PrivacyRequest } from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import {
  ErrorAlert,
  errorField,
  errorMessage,
  FieldProblem,
  Status,
} from '../components/alerts.tsx';
import { ConfirmDialog } from '../components/dialog.tsx';
import { TextField, useFocusInvalid } from '../components/fields.tsx';
import { Page, Section } from '../components/page.tsx';
import { useI18n } from '../i18n.ts';
import { saveFile } from '../save-file.ts';

const FIELDS = ['number'];

/** A person's rights over their number (GDPR): a copy of what is held, or its erasure. */
export function PrivacyPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const [number, setNumber] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [result, setResult] = useState<PrivacyEraseResult | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  useFocusInvalid(form, action.error);
  const field = errorField(action.error, FIELDS);

  /** The number to send, or null after saying what is missing. */
  const typed = (): string | null => {
    const value = number.trim();
    if (!value) action.fail(new FieldProblem('number', t('privacy.numberMissing')));
    return value || null;
  };

  const exportData = () => {
    const value = typed();
    if (!value) return;
    setResult(null);
    void action.run(async () => {
      const request: PrivacyRequest = { number: value };
      const file = await api.download('/api/privacy/export', request, 'nonmerci-data.json');
      saveFile(file.blob, file.fileName);
      return t('privacy.exported', { file: file.fileName });
    });
  };

  const askErase = () => {
    const value = typed();
    if (value) setConfirming(value);
  };

  /** Runs inside the dialog (it stays open while busy); a refusal is then shown on the form. */
  const erase = (value: string) =>
    action.run(async () => {
      const request: PrivacyRequest = { number: value };
      const erased = await api.post<PrivacyEraseResult>('/api/privacy/erase', request);
      setResult(erased);
      setNumber('');
      return t('privacy.done', { number: erased.number });
    });

  return (
    <Page title={t('privacy.title')} intro={t('privacy.intro')}>
      <form
        ref={form}
        class="form card form-narrow"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          exportData();
        }}
      >
        <TextField
          label={t('privacy.number')}
          hint={t('privacy.numberHint')}
          type="tel"
          autoComplete="off"
          value={number}
          error={field ? errorMessage(action.error, i18n) : null}
          onValue={setNumber}
        />
        <ErrorAlert error={field ? null : action.error} />
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={action.busy}>
            {t('privacy.export')}
          </button>
          <button
            type="button"
            class="button button-danger-quiet"
            disabled={action.busy}
            onClick={askErase}
          >
            {t('privacy.erase')}
          </button>
        </div>
      </form>
      <Status message={action.done} />
      {result ? <EraseResult result={result} /> : null}
      {confirming ? (
        <ConfirmDialog
          title={t('privacy.eraseTitle', { number: confirming })}
          confirmLabel={t('privacy.eraseConfirm')}
          danger
          onConfirm={() => erase(confirming)}
          onClose={() => setConfirming(null)}
        >
          <p>{t('privacy.eraseExplain')}</p>
          <p>{t('privacy.eraseException')}</p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}

/** What an erasure removed, what it kept, and why, in words. */
function EraseResult({ result }: { result: PrivacyEraseResult }) {
  const i18n = useI18n();
  const { t } = i18n;
  // Only what there was: "0 SMS sent by a line" says nothing.
  const counts = (rows: [PrivacyCount, number][]) =>
    rows.filter(([, count]) => count > 0).map(([key, count]) => i18n.tn(key, count));
  const erased = counts([
    ['count.privacyContacts', result.erased.contacts],
    ['count.privacyReplies', result.erased.replies],
    ['count.privacyMessages', result.erased.messages],
    ['count.privacyJournal', result.erased.journalEntries],
  ]);
  const kept = counts([
    ['count.privacyContacts', result.kept.contacts],
    ['count.privacyJournal', result.kept.journalEntries],
  ]);
  return (
    <Section id="privacy-result" title={t('privacy.result', { number: result.number })}>
      <div class="card" data-testid="erase-result">
        {result.found ? (
          <>
            <dl class="facts">
              <div>
                <dt>{t('privacy.erased')}</dt>
                <dd>
                  <CountList items={erased} none={t('privacy.nothingErased')} />
                </dd>
              </div>
              <div>
                <dt>{t('privacy.kept')}</dt>
                <dd>
                  <CountList items={kept} none={t('privacy.nothingKept')} />
                </dd>
              </div>
            </dl>
            {result.keptBecause.length ? (
              <>
                <p>
                  <strong>{t('privacy.why')}</strong>
                </p>
                {/* The server writes these sentences in English: read them as English. */}
                <ul class="plain-list" lang="en">
                  {result.keptBecause.map((why) => (
                    <li key={why}>{why}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        ) : (
          <p>{t('privacy.notFound')}</p>
        )}
      </div>
    </Section>
  );
}

type PrivacyCount =
  | 'count.privacyContacts'
  | 'count.privacyReplies'
  | 'count.privacyMessages'
  | 'count.privacyJournal';

function CountList(props: { items: string[]; none: string }) {
  if (!props.items.length) return <>{props.none}</>;
  return (
    <ul class="plain-list">
      {props.items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}
