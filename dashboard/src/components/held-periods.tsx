import { useRef, useState } from 'preact/hooks';
import type {
  EvidenceHoldRequest,
  EvidenceHoldRow,
  LineDetail,
} from '../../../src/web/api/contract.ts';
import { useAction } from '../action.ts';
import { api } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert, errorField, errorMessage, Status } from './alerts.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { TextField, useFocusInvalid } from './fields.tsx';
import {
  EMPTY_PERIOD,
  PERIOD_FIELDS,
  PeriodFields,
  periodProblem,
  periodRequest,
  type PeriodDraft,
} from './period-fields.tsx';

/** The periods retention must not touch, each with a button to release it. */
/** Periods shown at first, and added by each "more". */
const PAGE = 10;

export function HeldPeriods(props: { holds: EvidenceHoldRow[]; onReleased: (id: number) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [releasing, setReleasing] = useState<EvidenceHoldRow | null>(null);
  const [done, setDone] = useState('');
  /** Every export holds its period: the list grows with the raids, so it opens on the newest. */
  const [limit, setLimit] = useState(PAGE);
  const shown = props.holds.slice(0, limit);
  const lineOf = (hold: EvidenceHoldRow) => hold.lineNumber ?? t('evidence.allLines');

  return (
    <>
      <Status message={done} />
      {props.holds.length ? (
        <div class="table-scroll" role="region" aria-label={t('evidence.holds')} tabIndex={0}>
          <table class="table-wide" data-testid="held-periods">
            <caption class="visually-hidden">{t('evidence.holds')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('evidence.period')}</th>
                <th scope="col">{t('evidence.line')}</th>
                <th scope="col">{t('evidence.kind')}</th>
                <th scope="col">{t('evidence.note')}</th>
                <th scope="col">{t('evidence.by')}</th>
                <th scope="col">{t('evidence.since')}</th>
                <th scope="col">{t('evidence.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((hold) => {
                const period = i18n.period(hold.from, hold.to);
                return (
                  <tr key={hold.id}>
                    <th scope="row">{period}</th>
                    <td class="nowrap">{lineOf(hold)}</td>
                    <td>{t(`evidence.kind.${hold.kind}`)}</td>
                    <td>{hold.note ?? '—'}</td>
                    <td>{hold.createdBy}</td>
                    <td>{i18n.dateTime(hold.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        class="button button-small button-danger-quiet"
                        onClick={() => setReleasing(hold)}
                      >
                        {t('evidence.release')}
                        <span class="visually-hidden">
                          {' '}
                          {t('evidence.releasePeriodTail', { period })}
                        </span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {props.holds.length > PAGE ? (
            <div class="paged-footer">
              <p class="status status-shown status-count">
                {t('evidence.holdsShown', {
                  shown: i18n.number(shown.length),
                  total: i18n.number(props.holds.length),
                })}
              </p>
              {shown.length < props.holds.length ? (
                <button type="button" class="button" onClick={() => setLimit(limit + PAGE)}>
                  {t('common.loadMore')}
                </button>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : (
        <p class="muted">{t('evidence.noHolds')}</p>
      )}
      {releasing ? (
        <ConfirmDialog
          title={t('evidence.releasePeriodTitle')}
          confirmLabel={t('evidence.release')}
          danger
          onConfirm={async () => {
            await api.post(`/api/evidence/holds/${releasing.id}/release`);
            props.onReleased(releasing.id);
            setDone(t('evidence.periodReleased'));
          }}
          onClose={() => setReleasing(null)}
        >
          <p>
            <strong>
              {t('evidence.releasePeriodWhat', {
                period: i18n.period(releasing.from, releasing.to),
                line: lineOf(releasing),
              })}
            </strong>
          </p>
          <p>{t('evidence.releasePeriodExplain')}</p>
          <p>{t('evidence.releasePeriodExported')}</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

const FLAG_FIELDS = [...PERIOD_FIELDS, 'note'];

/** Keeps a period as evidence by hand, before or without exporting it. */
export function FlagPeriodForm(props: {
  lines: LineDetail[] | null;
  onFlagged: (hold: EvidenceHoldRow) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [draft, setDraft] = useState<PeriodDraft>(EMPTY_PERIOD);
  const [note, setNote] = useState('');
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  useFocusInvalid(form, action.error);
  const field = errorField(action.error, FLAG_FIELDS);

  const submit = (event: Event) => {
    event.preventDefault();
    const problem = periodProblem(i18n, draft);
    if (problem) return action.fail(problem);
    const request: EvidenceHoldRequest = {
      ...periodRequest(draft),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    void action.run(async () => {
      props.onFlagged(await api.post<EvidenceHoldRow>('/api/evidence/holds', request));
      setDraft(EMPTY_PERIOD);
      setNote('');
      return t('evidence.flagged');
    });
  };

  return (
    <>
      <p>{t('evidence.flagIntro')}</p>
      <form ref={form} class="form card" onSubmit={submit} noValidate>
        <PeriodFields draft={draft} onDraft={setDraft} lines={props.lines} error={action.error}>
          <TextField
            label={t('evidence.noteLabel')}
            hint={t('evidence.noteHint')}
            autoComplete="off"
            value={note}
            error={field === 'note' ? errorMessage(action.error, i18n) : null}
            onValue={setNote}
          />
        </PeriodFields>
        <ErrorAlert error={field ? null : action.error} />
        <button type="submit" class="button button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('evidence.flagButton')}
        </button>
      </form>
      <Status message={action.done} />
    </>
  );
}
