import { useState } from 'preact/hooks';
import type { KeptCallerRow } from '../../../src/web/api/contract.ts';
import { api } from '../api.ts';
import { callerText, labelsText } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';
import { Status } from './alerts.tsx';
import { ConfirmDialog } from './dialog.tsx';

const PAGE = 20;

/** Hostile callers retention keeps whatever their age, each with a button to release it. */
export function KeptCallers(props: { callers: KeptCallerRow[]; onReleased: (id: number) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [releasing, setReleasing] = useState<KeptCallerRow | null>(null);
  const [done, setDone] = useState('');
  // A raid keeps hundreds of callers: shown a page at a time, so the page stays short.
  const [shown, setShown] = useState(PAGE);
  const more = props.callers.length - shown;

  return (
    <>
      <Status message={done} />
      {props.callers.length ? (
        <div class="table-scroll" role="region" aria-label={t('evidence.callers')} tabIndex={0}>
          <table class="table-wide" data-testid="kept-callers">
            <caption class="visually-hidden">{t('evidence.callers')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('evidence.caller')}</th>
                <th scope="col">{t('evidence.contacts')}</th>
                <th scope="col">{t('evidence.labels')}</th>
                <th scope="col">{t('evidence.blocked')}</th>
                <th scope="col">{t('evidence.lastSeen')}</th>
                <th scope="col">{t('evidence.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {props.callers.slice(0, shown).map((caller) => {
                const name = callerText(i18n, caller.number);
                return (
                  <tr key={caller.callerId}>
                    <th scope="row" class="nowrap">
                      <Link href={`/callers/${caller.callerId}`}>{name}</Link>
                    </th>
                    <td class="numeric">{i18n.number(caller.contacts)}</td>
                    <td>{caller.labels.length ? labelsText(i18n, caller.labels) : '—'}</td>
                    <td>{t(caller.blocked ? 'common.yes' : 'common.no')}</td>
                    <td>{i18n.dateTime(caller.lastSeen)}</td>
                    <td>
                      <button
                        type="button"
                        class="button button-small button-danger-quiet"
                        onClick={() => setReleasing(caller)}
                      >
                        {t('evidence.release')}
                        <span class="visually-hidden">
                          {' '}
                          {t('evidence.releaseCallerTail', { caller: name })}
                        </span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {more > 0 ? (
            <button type="button" class="button" onClick={() => setShown(shown + PAGE)}>
              {i18n.tn('evidence.moreCallers', Math.min(more, PAGE))}
            </button>
          ) : null}
        </div>
      ) : (
        <p class="muted">{t('evidence.noCallers')}</p>
      )}
      {releasing ? (
        <ConfirmDialog
          title={t('evidence.releaseCallerTitle', { caller: callerText(i18n, releasing.number) })}
          confirmLabel={t('evidence.release')}
          danger
          onConfirm={async () => {
            await api.post(`/api/evidence/callers/${releasing.callerId}/release`);
            props.onReleased(releasing.callerId);
            setDone(t('evidence.callerReleased', { caller: callerText(i18n, releasing.number) }));
          }}
          onClose={() => setReleasing(null)}
        >
          <p>{t('evidence.releaseCallerExplain')}</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
