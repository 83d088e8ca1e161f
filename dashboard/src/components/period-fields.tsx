import type { ComponentChildren } from 'preact';
import type { LineDetail } from '../../../src/web/api/contract.ts';
import { useI18n, type I18n } from '../i18n.ts';
import { errorField, errorMessage, FieldProblem } from './alerts.tsx';
import { SelectField, TextField } from './fields.tsx';

/** A period as typed: datetime-local values in the deployment's zone, and a line id or "" for all. */
export interface PeriodDraft {
  from: string;
  to: string;
  lineId: string;
}

/** The request fields a refusal may name, as the server spells them. */
export const PERIOD_FIELDS = ['from', 'to', 'lineId'] as const;

export const EMPTY_PERIOD: PeriodDraft = { from: '', to: '', lineId: '' };

/** What to fix before sending, next to its field; null when the period can be sent. */
export function periodProblem({ t }: I18n, draft: PeriodDraft): FieldProblem | null {
  if (!draft.from) return new FieldProblem('from', t('evidence.fromMissing'));
  if (!draft.to) return new FieldProblem('to', t('evidence.toMissing'));
  // Same fixed format on both sides ("2026-11-01T16:00"): comparing the text compares the times.
  if (draft.to <= draft.from) return new FieldProblem('to', t('evidence.toBeforeFrom'));
  return null;
}

/** The period as the API takes it: the times as typed, read by the server in its own zone. */
export function periodRequest(draft: PeriodDraft) {
  return { from: draft.from, to: draft.to, lineId: draft.lineId ? Number(draft.lineId) : null };
}

/**
 * Start, end and line of a period, with a refusal about one of them shown under it; `children`
 * (another field) sits beside the line.
 */
export function PeriodFields(props: {
  draft: PeriodDraft;
  onDraft: (draft: PeriodDraft) => void;
  lines: LineDetail[] | null;
  error: unknown;
  children?: ComponentChildren;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { draft } = props;
  const field = errorField(props.error, PERIOD_FIELDS);
  const problem = (name: string) => (field === name ? errorMessage(props.error, i18n) : null);
  const hint = t('evidence.timeHint', { zone: i18n.timeZone ?? '…' });
  return (
    <>
      {/* Top-aligned: an error under one time must not push the other one down. */}
      <div class="field-row field-row-top">
        <TextField
          label={t('evidence.from')}
          hint={hint}
          type="datetime-local"
          value={draft.from}
          error={problem('from')}
          onValue={(from) => props.onDraft({ ...draft, from })}
        />
        <TextField
          label={t('evidence.to')}
          hint={hint}
          type="datetime-local"
          value={draft.to}
          error={problem('to')}
          onValue={(to) => props.onDraft({ ...draft, to })}
        />
      </div>
      <div class="field-row">
        <SelectField
          label={t('evidence.line')}
          value={draft.lineId}
          error={problem('lineId')}
          onValue={(lineId) => props.onDraft({ ...draft, lineId })}
          choices={[
            { value: '', label: t('evidence.allLines') },
            ...(props.lines ?? []).map((line) => ({ value: String(line.id), label: line.number })),
          ]}
        />
        {props.children}
      </div>
    </>
  );
}
