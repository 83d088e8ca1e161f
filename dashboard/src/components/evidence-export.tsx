import { useEffect, useRef, useState } from 'preact/hooks';
import type { EvidenceExportRequest, Language, LineDetail } from '../../../src/web/api/contract.ts';
import { api } from '../api.ts';
import { LANGUAGE_NAMES, useI18n } from '../i18n.ts';
import { saveFile } from '../save-file.ts';
import { localInput } from '../units.ts';
import { ErrorAlert, errorField, errorMessage, Status } from './alerts.tsx';
import { CopyField } from './copy-field.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { SelectField, useFocusInvalid } from './fields.tsx';
import {
  EMPTY_PERIOD,
  PERIOD_FIELDS,
  PeriodFields,
  periodProblem,
  periodRequest,
  type PeriodDraft,
} from './period-fields.tsx';

const FIELDS = [...PERIOD_FIELDS, 'language'];

/**
 * The evidence bundle: choose a period, confirm after a warning about what the file holds, then
 * download the ZIP and show its manifest's fingerprint (recorded in the audit log by the server).
 */
export function EvidenceExport(props: { lines: LineDetail[] | null; onExported: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [draft, setDraft] = useState<PeriodDraft>(EMPTY_PERIOD);
  // The operator's language until another one is picked for the report.
  const [picked, setPicked] = useState<Language | null>(null);
  const language = picked ?? i18n.lang;
  const [error, setError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<{ fileName: string; sha256: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useFocusInvalid(form, error);

  // Today from midnight until now, once the hotline's time zone is known, unless already typed.
  useEffect(() => {
    if (!i18n.timeZone) return;
    const now = Date.now();
    const to = localInput(now + 60_000, i18n.timeZone);
    setDraft((current) =>
      current.from || current.to ? current : { ...current, from: `${to.slice(0, 10)}T00:00`, to },
    );
  }, [i18n.timeZone]);

  const submit = (event: Event) => {
    event.preventDefault();
    const problem = periodProblem(i18n, draft);
    setError(problem);
    if (!problem) setConfirming(true);
  };

  const exportBundle = async () => {
    setResult(null);
    const request: EvidenceExportRequest = { ...periodRequest(draft), language };
    try {
      const file = await api.download('/api/evidence/export', request, 'nonmerci-evidence.zip');
      saveFile(file.blob, file.fileName);
      setResult({ fileName: file.fileName, sha256: file.headers.get('x-manifest-sha256') ?? '' });
      props.onExported();
    } catch (reason) {
      // A refused field is shown next to it (the dialog closes); anything else stays in the dialog.
      if (!errorField(reason, FIELDS)) throw reason;
      setError(reason);
    }
  };

  const field = errorField(error, FIELDS);
  return (
    <>
      <p>{t('evidence.exportIntro')}</p>
      <form ref={form} class="form card" onSubmit={submit} noValidate>
        <PeriodFields draft={draft} onDraft={setDraft} lines={props.lines} error={error}>
          <SelectField
            label={t('evidence.language')}
            value={language}
            error={field === 'language' ? errorMessage(error, i18n) : null}
            onValue={(value) => setPicked(value === 'en' ? 'en' : 'fr')}
            choices={(Object.keys(LANGUAGE_NAMES) as Language[]).map((code) => ({
              value: code,
              label: LANGUAGE_NAMES[code],
            }))}
          />
        </PeriodFields>
        <ErrorAlert error={field ? null : error} />
        <button type="submit" class="button button-primary">
          {t('evidence.exportButton')}
        </button>
      </form>
      <Status message={result ? t('evidence.exported', { file: result.fileName }) : ''} />
      {result?.sha256 ? (
        <div class="export-result card">
          <CopyField
            label={t('evidence.manifest')}
            value={result.sha256}
            copied={t('evidence.manifestCopied')}
            testId="manifest-sha256"
          />
          <p>{t('evidence.manifestExplain')}</p>
        </div>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={t('evidence.exportTitle')}
          confirmLabel={t('evidence.exportConfirm')}
          onConfirm={exportBundle}
          onClose={() => setConfirming(false)}
        >
          <p>
            <strong>{t('evidence.exportWarnContent')}</strong>
          </p>
          <p>{t('evidence.exportWarnHandOver')}</p>
          <p>{t('evidence.exportWarnKept')}</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
