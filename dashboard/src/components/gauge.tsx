import type { Gauge } from '../../../src/web/api/contract.ts';
import { useId } from 'preact/hooks';
import { useI18n } from '../i18n.ts';

/** Spend against a cap: a meter with the amounts written out, amber from 80 %, red at 100 %. */
export function SpendGauge(props: { label: string; gauge: Gauge; currency: string }) {
  const i18n = useI18n();
  const { spentMicros: spent, capMicros: cap } = props.gauge;
  const ratio = cap > 0 ? spent / cap : spent > 0 ? 1 : 0;
  const level = ratio >= 1 ? 'full' : ratio >= 0.8 ? 'high' : 'ok';
  const amounts = i18n.t('gauge.amounts', {
    spent: i18n.money(spent, props.currency),
    cap: i18n.money(cap, props.currency),
  });
  const percent = Math.round(Math.min(ratio, 1) * 100);
  const note =
    level === 'full' ? i18n.t('gauge.full') : level === 'high' ? i18n.t('gauge.high') : '';
  const labelId = useId();
  return (
    <div class={`gauge gauge-${level}`}>
      <div class="gauge-head">
        <span id={labelId} class="gauge-label">
          {props.label}
        </span>
        <span class="gauge-amounts">{amounts}</span>
      </div>
      <div
        class="gauge-track"
        role="meter"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${amounts} (${percent} %)${note ? `. ${note}` : ''}`}
      >
        <div class="gauge-fill" style={{ width: `${percent}%` }} />
      </div>
      {note ? <p class="gauge-note">{note}</p> : null}
    </div>
  );
}
