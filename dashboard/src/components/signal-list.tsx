import { words } from '../describe.ts';
import { useI18n, type I18n } from '../i18n.ts';

/** The hostility signals stored with a reply decision, as a readable list. */
export function SignalList({ signals }: { signals: Record<string, unknown> }) {
  const i18n = useI18n();
  const entries = Object.entries(signals);
  if (!entries.length) return null;
  return (
    <dl class="signals">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{words(i18n, 'signal', name)}</dt>
          <dd>{readable(i18n, name, value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function readable(i18n: I18n, name: string, value: unknown): string {
  if (typeof value === 'boolean') return i18n.t(value ? 'common.yes' : 'common.no');
  if (typeof value === 'number') return i18n.number(value);
  // A measure given as a word ("pressure") reads in the page's language when there are words for it.
  if (typeof value === 'string') return words(i18n, name, value);
  if (Array.isArray(value)) return i18n.list(value.map((item) => readable(i18n, name, item)));
  if (value && typeof value === 'object') {
    const parts = Object.entries(value).map(([key, inner]) =>
      i18n.t('common.pair', {
        name: words(i18n, name === 'labels' ? 'label' : 'signal', key),
        value: readable(i18n, key, inner),
      }),
    );
    return parts.length ? parts.join(', ') : i18n.t('common.none');
  }
  return '—';
}
