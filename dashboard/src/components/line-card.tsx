import { useId, useState } from 'preact/hooks';
import type {
  LineState,
  PauseRequest,
  ShieldMode,
  ShieldRequest,
} from '../../../src/web/api/contract.ts';
import { describeShieldReason } from '../../../src/policy/shield-reason.ts';
import { api } from '../api.ts';
import { words } from '../describe.ts';
import { useI18n } from '../i18n.ts';
import { useLive } from '../live.ts';
import { durationWords } from '../units.ts';
import { Status } from './alerts.tsx';
import { ConfirmDialog } from './dialog.tsx';
import { CheckboxField } from './fields.tsx';

const SHIELD_MODES: ShieldMode[] = ['auto', 'on', 'off'];

type Pending = { kind: 'pause' } | { kind: 'shield'; mode: ShieldMode };

/** A line on the overview: its state and the two emergency switches, each confirmed first. */
export function LineCard({ line }: { line: LineState }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { patchLine, overview } = useLive();
  const titleId = useId();
  const shieldId = useId();
  const [pending, setPending] = useState<Pending | null>(null);
  const [rejectCalls, setRejectCalls] = useState(line.rejectCallsWhenPaused);
  const [done, setDone] = useState('');

  const confirm = async (change: Pending) => {
    const updated =
      change.kind === 'pause'
        ? await api.post<LineState>(`/api/lines/${line.id}/pause`, {
            paused: !line.paused,
            rejectCalls,
          } satisfies PauseRequest)
        : await api.post<LineState>(`/api/lines/${line.id}/shield`, {
            mode: change.mode,
          } satisfies ShieldRequest);
    patchLine(updated);
    setDone(
      change.kind === 'pause'
        ? t(updated.paused ? 'line.pausedDone' : 'line.resumedDone')
        : t('line.shieldDone', { mode: words(i18n, 'shieldMode', updated.shield.mode) }),
    );
  };

  const shieldState = line.shield.active
    ? line.shield.since
      ? t('line.shieldActiveSince', { time: i18n.time(line.shield.since) })
      : t('line.shieldActive')
    : t('line.shieldIdle');

  return (
    <article
      class={`line-card ${line.shield.active ? 'line-card-raid' : ''}`}
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>{line.number}</h3>
      <dl class="facts">
        <div>
          <dt>{t('line.provider')}</dt>
          <dd>{words(i18n, 'provider', line.provider)}</dd>
        </div>
        <div>
          <dt>{t('line.state')}</dt>
          <dd>
            <span class={`badge ${line.paused ? 'badge-warning' : 'badge-ok'}`}>
              {t(line.paused ? 'line.paused' : 'line.active')}
            </span>
            {line.paused && line.rejectCallsWhenPaused ? ` ${t('line.rejectingCalls')}` : ''}
          </dd>
        </div>
        <div>
          <dt>{t('line.shield')}</dt>
          <dd>
            <span class={`badge ${line.shield.active ? 'badge-danger' : 'badge-neutral'}`}>
              {shieldState}
            </span>{' '}
            ({words(i18n, 'shieldMode', line.shield.mode)})
          </dd>
        </div>
        {line.shield.active && line.shield.reason ? (
          <div>
            <dt>{t('line.shieldWhy')}</dt>
            <dd class="shield-why">{describeShieldReason(line.shield.reason, i18n.lang)}</dd>
          </div>
        ) : null}
      </dl>
      <div class="line-actions">
        <button
          type="button"
          class={`button button-large ${line.paused ? 'button-primary' : 'button-warning'}`}
          onClick={() => setPending({ kind: 'pause' })}
        >
          {t(line.paused ? 'line.resume' : 'line.pause')}
        </button>
        <div class="segmented" role="group" aria-labelledby={shieldId}>
          <span id={shieldId} class="segmented-label">
            {t('line.shield')}
          </span>
          {SHIELD_MODES.map((mode) => (
            <button
              key={mode}
              type="button"
              class="button"
              aria-pressed={line.shield.mode === mode}
              onClick={() => {
                if (line.shield.mode !== mode) setPending({ kind: 'shield', mode });
              }}
            >
              {words(i18n, 'shieldMode', mode)}
            </button>
          ))}
        </div>
      </div>
      <Status message={done} />
      {pending ? (
        <ConfirmDialog
          title={
            pending.kind === 'pause'
              ? t(line.paused ? 'line.resumeTitle' : 'line.pauseTitle', { number: line.number })
              : t('line.shieldTitle', {
                  number: line.number,
                  mode: words(i18n, 'shieldMode', pending.mode),
                })
          }
          confirmLabel={
            pending.kind === 'pause'
              ? t(line.paused ? 'line.resume' : 'line.pause')
              : t('line.shieldConfirm', { mode: words(i18n, 'shieldMode', pending.mode) })
          }
          danger={pending.kind === 'pause' && !line.paused}
          onConfirm={() => confirm(pending)}
          onClose={() => setPending(null)}
        >
          {pending.kind === 'pause' ? (
            <>
              <p>
                {t(line.paused ? 'line.resumeExplain' : 'line.pauseExplain', {
                  expiry: durationWords(overview?.replyExpiryMs ?? 86_400_000, i18n.lang),
                })}
              </p>
              {line.paused ? null : (
                <CheckboxField
                  label={t('line.rejectCalls')}
                  checked={rejectCalls}
                  onChecked={setRejectCalls}
                />
              )}
            </>
          ) : (
            <p>{words(i18n, 'shieldExplain', pending.mode)}</p>
          )}
        </ConfirmDialog>
      ) : null}
    </article>
  );
}
