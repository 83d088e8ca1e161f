import { useState } from 'preact/hooks';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { CheckboxField, SelectField, TextField, type Choice } from './fields.tsx';

export const FILTER_KEYS = [
  'q',
  'line',
  'from',
  'to',
  'label',
  'replied',
  'reason',
  'evidence',
] as const;
export type Filters = Record<(typeof FILTER_KEYS)[number], string>;

const LABEL_FILTERS = ['clean', 'any', 'insult', 'threat', 'sexual', 'spam', 'test', 'mockery'];
export const REPLY_REASONS = [
  'sent',
  'cooldown',
  'destination_not_allowed',
  'budget_exhausted',
  'paused',
  'blocked',
  'hostile',
  'opted_out',
  'keyword_rule',
  'test_message',
  'paced',
  'shield',
  'expired',
  'provider_rejected',
  'provider_error',
];

export function readFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters = {} as Filters;
  for (const key of FILTER_KEYS) filters[key] = params.get(key) ?? '';
  // Dates typed into the address bar by hand could be anything.
  for (const key of ['from', 'to'] as const)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(filters[key])) filters[key] = '';
  return filters;
}

export function filtersSearch(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** The timeline's filters; applying them changes the address, so a filtered view can be shared. */
export function ContactFilters(props: {
  filters: Filters;
  lines: { id: number; number: string }[];
  onApply: (filters: Filters) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [draft, setDraft] = useState(props.filters);
  const set = (key: keyof Filters) => (value: string) => setDraft({ ...draft, [key]: value });
  const all: Choice = { value: '', label: t('filters.all') };

  return (
    <form
      class="filters"
      role="search"
      aria-label={t('filters.title')}
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(draft);
      }}
    >
      <TextField
        label={t('filters.search')}
        hint={t('filters.searchHint')}
        value={draft.q}
        onValue={set('q')}
      />
      <SelectField
        label={t('filters.line')}
        value={draft.line}
        onValue={set('line')}
        choices={[
          all,
          ...props.lines.map((line) => ({ value: String(line.id), label: line.number })),
        ]}
      />
      <TextField label={t('filters.from')} type="date" value={draft.from} onValue={set('from')} />
      <TextField label={t('filters.to')} type="date" value={draft.to} onValue={set('to')} />
      <SelectField
        label={t('filters.label')}
        value={draft.label}
        onValue={set('label')}
        choices={[
          all,
          ...LABEL_FILTERS.map((value) => ({ value, label: words(i18n, 'labelFilter', value) })),
        ]}
      />
      <SelectField
        label={t('filters.replied')}
        value={draft.replied}
        onValue={set('replied')}
        choices={[
          all,
          { value: 'yes', label: t('filters.repliedYes') },
          { value: 'no', label: t('filters.repliedNo') },
        ]}
      />
      <SelectField
        label={t('filters.reason')}
        value={draft.reason}
        onValue={set('reason')}
        choices={[
          all,
          ...REPLY_REASONS.map((value) => ({ value, label: words(i18n, 'reasonShort', value) })),
        ]}
      />
      <CheckboxField
        label={t('filters.evidence')}
        checked={draft.evidence === 'yes'}
        onChecked={(checked) => setDraft({ ...draft, evidence: checked ? 'yes' : '' })}
      />
      <div class="filters-actions">
        <button type="submit" class="button button-primary">
          {t('filters.apply')}
        </button>
        <button
          type="button"
          class="button button-quiet"
          onClick={() => props.onApply(readFilters(''))}
        >
          {t('filters.clear')}
        </button>
      </div>
    </form>
  );
}
