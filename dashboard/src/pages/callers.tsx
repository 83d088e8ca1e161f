import { useRef, useState } from 'preact/hooks';
import type {
  BulkRequest,
  BulkResult,
  CallerLine,
  CallerListPage,
} from '../../../src/web/api/contract.ts';
import { api, withQuery } from '../api.ts';
import { useAction } from '../action.ts';
import { ErrorAlert, Status } from '../components/alerts.tsx';
import { ConfirmDialog } from '../components/dialog.tsx';
import { SelectField, TextField } from '../components/fields.tsx';
import { Page } from '../components/page.tsx';
import { PagedFooter } from '../components/paged-footer.tsx';
import { usePages, useThrottledEffect } from '../data.ts';
import { callerText, labelsText, replyStatus } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useCurrency, useLive } from '../live.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useUser } from '../session.ts';

const PAGE_SIZE = 50;
const DECISIONS = ['sent', 'waiting', 'held', 'cancelled', 'none'] as const;
const PERIODS = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
type Period = keyof typeof PERIODS | '';
const BULK: BulkRequest['action'][] = ['block', 'unblock', 'allow', 'evidence'];

interface Filters {
  q: string;
  decision: string;
  period: Period;
  blocked: string;
}

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const period = p.get('period') ?? '';
  return {
    q: p.get('q') ?? '',
    decision: p.get('decision') ?? '',
    period: period in PERIODS ? (period as Period) : '',
    blocked: p.get('blocked') ?? '',
  };
}

function filtersSearch(f: Filters): string {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(f) as [string, string][]) if (value) p.set(key, value);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * Callers, not rows: one compact line per number that called or texted, with his nickname, what
 * he sent and what was decided; searched by digits, nickname or words; several at once can be
 * blocked, allowed, kept as evidence or forgotten. Arrow keys move between lines, Space selects,
 * Enter opens the caller's page.
 */
export function CallersPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { search } = useLocation();
  const filters = readFilters(search);
  const live = useLive();
  const user = useUser();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [forgetting, setForgetting] = useState(false);
  const action = useAction();
  const list = useRef<HTMLTableSectionElement>(null);

  const pages = usePages<CallerLine, string>(
    search,
    async (after, signal) => {
      const period = filters.period ? PERIODS[filters.period] : null;
      const page = await api.get<CallerListPage>(
        withQuery('/api/callers', {
          q: filters.q || null,
          decision: filters.decision || null,
          blocked: filters.blocked || null,
          from: period ? Date.now() - period : null,
          after,
          limit: PAGE_SIZE,
        }),
        signal,
      );
      return { items: page.callers, nextBefore: page.next };
    },
    (caller) => caller.callerId,
  );
  useThrottledEffect(
    () => {
      if (live.newestContact > 0) pages.refreshTop();
    },
    [live.newestContact],
    1000,
  );

  const ids = [...selected].filter((id) => pages.items.some((c) => c.callerId === id));
  const toggle = (id: number) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const after = (result: BulkResult, done: string) => {
    setSelected(new Set());
    pages.refreshTop();
    const kept = result.skipped.filter((s) => s.why === 'kept').length;
    const withheld = result.skipped.filter((s) => s.why === 'withheld').length;
    return [
      done,
      kept ? i18n.tn('callers.skippedKept', kept) : '',
      withheld ? i18n.tn('callers.skippedWithheld', withheld) : '',
    ]
      .filter(Boolean)
      .join(' ');
  };
  const bulk = (kind: BulkRequest['action']) =>
    action.run(async () => {
      const result = await api.post<BulkResult>('/api/callers/bulk', { ids, action: kind });
      return after(result, i18n.tn(`callers.done.${kind}` as 'callers.done.block', result.done));
    });

  /** Up and down move between lines; the focus stays on each line's checkbox. */
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const boxes = [
      ...(list.current?.querySelectorAll<HTMLInputElement>('input[type=checkbox]') ?? []),
    ];
    const at = boxes.indexOf(document.activeElement as HTMLInputElement);
    const next = boxes[at + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };
  const onEnter = (event: KeyboardEvent, caller: CallerLine) => {
    if (event.key === 'Enter') navigate(`/callers/${caller.callerId}`);
  };

  return (
    <Page title={t('callers.title')} intro={t('callers.intro')}>
      <CallerFilters
        key={search}
        filters={filters}
        onApply={(next) => navigate(`/callers${filtersSearch(next)}`)}
      />
      <div class="bulk-bar" role="group" aria-label={t('callers.bulk')}>
        <span>{i18n.tn('callers.selected', ids.length)}</span>
        {BULK.map((kind) => (
          <button
            key={kind}
            type="button"
            class="button button-small"
            disabled={!ids.length || action.busy}
            onClick={() => void bulk(kind)}
          >
            {t(`callers.action.${kind}` as 'callers.action.block')}
          </button>
        ))}
        {user.role === 'admin' ? (
          <button
            type="button"
            class="button button-small button-warning"
            disabled={!ids.length || action.busy}
            onClick={() => setForgetting(true)}
          >
            {t('callers.action.forget')}
          </button>
        ) : null}
      </div>
      <ErrorAlert error={action.error} />
      <Status message={action.done} />
      <div class="table-scroll" role="region" aria-label={t('callers.list')} tabIndex={0}>
        <table class="callers-table">
          <caption class="visually-hidden">{t('callers.list')}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">{t('callers.select')}</span>
              </th>
              <th scope="col">{t('callers.caller')}</th>
              <th scope="col">{t('callers.last')}</th>
              <th scope="col">{t('callers.count')}</th>
              <th scope="col">{t('callers.words')}</th>
              <th scope="col">{t('callers.decision')}</th>
            </tr>
          </thead>
          <tbody ref={list} onKeyDown={onKey}>
            {pages.items.map((c) => (
              <CallerRow
                key={c.callerId}
                caller={c}
                selected={selected.has(c.callerId)}
                onToggle={() => toggle(c.callerId)}
                onKeyDown={(e) => onEnter(e, c)}
              />
            ))}
          </tbody>
        </table>
      </div>
      <PagedFooter
        pages={pages}
        shown={i18n.tn('callers.shown', pages.items.length)}
        empty={t('callers.none')}
      />
      {forgetting ? (
        <ConfirmDialog
          title={i18n.tn('callers.forgetTitle', ids.length)}
          confirmLabel={t('callers.action.forget')}
          danger
          onConfirm={async () => {
            const result = await api.post<BulkResult>('/api/callers/forget', { ids });
            setForgetting(false);
            await action.run(() =>
              Promise.resolve(after(result, i18n.tn('callers.done.forget', result.done))),
            );
          }}
          onClose={() => setForgetting(false)}
        >
          <p>{t('callers.forgetExplain')}</p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}

function CallerRow(props: {
  caller: CallerLine;
  selected: boolean;
  onToggle: () => void;
  onKeyDown: (event: KeyboardEvent) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const currency = useCurrency();
  const c = props.caller;
  const name = callerText(i18n, c.caller, c.nickname);
  const channels = [
    c.calls ? i18n.tn('count.calls', c.calls) : '',
    c.texts ? i18n.tn('count.texts', c.texts) : '',
  ].filter(Boolean);
  return (
    <tr class={props.selected ? 'row-selected' : ''}>
      <td>
        <input
          type="checkbox"
          checked={props.selected}
          onChange={props.onToggle}
          onKeyDown={props.onKeyDown}
          aria-label={t('callers.selectOne', { caller: name })}
        />
      </td>
      <td>
        <Link href={`/callers/${c.callerId}`}>{name}</Link>
        {c.blocked ? <span class="badge badge-danger">{t('contact.blocked')}</span> : null}
        {c.allowed ? <span class="badge badge-ok">{t('callers.allowed')}</span> : null}
        {c.evidence ? (
          <span class="badge badge-neutral">{i18n.tn('callers.evidence', c.evidence)}</span>
        ) : null}
      </td>
      <td>
        <time dateTime={new Date(c.lastAt).toISOString()}>{i18n.dateTime(c.lastAt)}</time>
      </td>
      <td>{i18n.list(channels)}</td>
      <td class="callers-words">
        {c.hidden ? (
          <span class="muted">{t('callers.hidden', { labels: labelsText(i18n, c.labels) })}</span>
        ) : c.firstWords !== null ? (
          <span translate={false}>{c.firstWords}</span>
        ) : (
          <span class="muted">{t('callers.noText')}</span>
        )}
      </td>
      <td>{c.reply ? replyStatus(i18n, c.reply, currency) : t('callers.noReply')}</td>
    </tr>
  );
}

function CallerFilters(props: { filters: Filters; onApply: (f: Filters) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [f, setF] = useState(props.filters);
  const set = (key: keyof Filters) => (value: string) => setF({ ...f, [key]: value });
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(f);
      }}
    >
      <TextField
        label={t('callers.search')}
        hint={t('callers.searchHint')}
        value={f.q}
        onValue={set('q')}
      />
      <SelectField
        label={t('callers.decision')}
        value={f.decision}
        onValue={set('decision')}
        choices={[
          { value: '', label: t('callers.any') },
          ...DECISIONS.map((d) => ({
            value: d,
            label: t(`callers.decision.${d}` as 'callers.decision.sent'),
          })),
        ]}
      />
      <SelectField
        label={t('callers.period')}
        value={f.period}
        onValue={set('period')}
        choices={[
          { value: '', label: t('callers.periodAll') },
          ...(['hour', 'day', 'week'] as const).map((p) => ({
            value: p,
            label: t(`callers.period.${p}` as 'callers.period.hour'),
          })),
        ]}
      />
      <SelectField
        label={t('callers.blockedFilter')}
        value={f.blocked}
        onValue={set('blocked')}
        choices={[
          { value: '', label: t('callers.any') },
          { value: 'yes', label: t('callers.blockedYes') },
          { value: 'no', label: t('callers.blockedNo') },
        ]}
      />
      <button type="submit" class="button button-primary">
        {t('callers.apply')}
      </button>
    </form>
  );
}
