import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Chart } from '../../../src/web/api/contract.ts';
import { useI18n } from '../i18n.ts';

export const CHART_COLORS = {
  contacts: '#6a3d9a',
  contactsFill: 'rgba(106, 61, 154, 0.35)',
  replies: '#1b6e3a',
  spend: '#a4461b',
  shield: 'rgba(176, 0, 32, 0.13)',
  axis: '#3d3530',
  grid: '#e6dfd5',
};
const HEIGHT = 280;
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000];

/**
 * Contacts (bars) and replies (line) per bucket on the left axis, spend on the right axis, shield
 * periods shaded red. Drawn on a canvas, so hidden from screen readers: the panel around it gives
 * the same figures as text.
 */
/** Room for an axis's longest label (about 7.5 px a character at the axis font) and its ticks. */
function axisWidth(values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((v) => v.length));
  return Math.max(40, Math.ceil(longest * 7.5) + 18);
}

export function ActivityChart(props: { chart: Chart; currency: string }) {
  const i18n = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { chart, currency } = props;
    const end = (chart.times.at(-1) ?? Date.now()) + chart.bucketMs;
    // Ticks at midnight name the day, the others the hour.
    const axisTime = (ms: number) => {
      const time = i18n.time(ms);
      return time === '00:00' ? i18n.shortDay(ms) : time;
    };

    const options: uPlot.Options = {
      width: element.clientWidth,
      height: HEIGHT,
      legend: { show: false },
      ...(i18n.timeZone
        ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), i18n.timeZone ?? 'UTC') }
        : {}),
      scales: {
        x: { time: true },
        count: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] },
        money: { range: (_u, _min, max) => [0, Math.max(0.5, max * 1.1)] },
      },
      axes: [
        {
          stroke: CHART_COLORS.axis,
          grid: { stroke: CHART_COLORS.grid },
          values: (_u, splits) => splits.map((s) => axisTime(s * 1000)),
        },
        {
          scale: 'count',
          stroke: CHART_COLORS.axis,
          grid: { stroke: CHART_COLORS.grid },
          incrs: COUNT_STEPS,
          // Wide enough for a raid's "20 000", measured on the labels themselves.
          size: (_u, values) => axisWidth(values),
          values: (_u, splits) => splits.map((v) => i18n.number(v)),
        },
        {
          scale: 'money',
          side: 1,
          size: (_u, values) => Math.max(72, axisWidth(values)),
          stroke: CHART_COLORS.spend,
          grid: { show: false },
          values: (_u, splits) => splits.map((v) => i18n.money(v * 1_000_000, currency)),
        },
      ],
      series: [
        {},
        {
          label: i18n.t('chart.contacts'),
          scale: 'count',
          stroke: CHART_COLORS.contacts,
          fill: CHART_COLORS.contactsFill,
          paths: uPlot.paths.bars?.({ size: [0.8, 40] }),
          points: { show: false },
        },
        {
          label: i18n.t('chart.replies'),
          scale: 'count',
          stroke: CHART_COLORS.replies,
          width: 2,
          points: { show: false },
        },
        {
          label: i18n.t('chart.spend'),
          scale: 'money',
          stroke: CHART_COLORS.spend,
          width: 2,
          dash: [6, 4],
          points: { show: false },
        },
      ],
      hooks: {
        drawClear: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            ctx.fillStyle = CHART_COLORS.shield;
            for (const period of chart.shieldPeriods) {
              const from = Math.max(u.valToPos(period.from / 1000, 'x', true), bbox.left);
              const to = Math.min(
                u.valToPos((period.to ?? end) / 1000, 'x', true),
                bbox.left + bbox.width,
              );
              if (to > from) ctx.fillRect(from, bbox.top, to - from, bbox.height);
            }
            ctx.restore();
          },
        ],
        setCursor: [
          (u) => {
            const index = u.cursor.idx;
            if (!readout.current) return;
            const at = index === null || index === undefined ? undefined : chart.times[index];
            readout.current.textContent =
              at === undefined || index === null || index === undefined
                ? ''
                : i18n.t('chart.readout', {
                    time: i18n.dateTime(at),
                    contacts: i18n.number(chart.contacts[index] ?? 0),
                    replies: i18n.number(chart.replies[index] ?? 0),
                    spend: i18n.money(chart.spendMicros[index] ?? 0, currency),
                  });
          },
        ],
      },
    };

    const data: uPlot.AlignedData = [
      chart.times.map((ms) => ms / 1000),
      chart.contacts,
      chart.replies,
      chart.spendMicros.map((micros) => micros / 1_000_000),
    ];
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.chart, props.currency, i18n]);

  return (
    <div class="chart" aria-hidden="true">
      <div ref={box} class="chart-canvas" />
      <p ref={readout} class="chart-readout" />
    </div>
  );
}
