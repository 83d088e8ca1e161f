import { useI18n } from '../i18n.ts';
import { useLive } from '../live.ts';
import { Link } from '../router.tsx';

/** Across the top of every page while the shield is on somewhere; announced when it appears. */
export function RaidBanner() {
  const i18n = useI18n();
  const { overview } = useLive();
  const shielded = overview?.raid ? overview.lines.filter((line) => line.shield.active) : [];
  return (
    <div role="status" class={shielded.length ? 'raid-banner' : 'raid-banner-empty'}>
      {shielded.length ? (
        <p>
          <strong>{i18n.t('raid.title')}</strong>{' '}
          {i18n.list(
            shielded.map((line) =>
              line.shield.since
                ? i18n.t('raid.lineSince', {
                    number: line.number,
                    time: i18n.time(line.shield.since),
                  })
                : i18n.t('raid.line', { number: line.number }),
            ),
          )}{' '}
          <Link href="/raid">{i18n.t('raid.open')}</Link>
        </p>
      ) : null}
    </div>
  );
}
