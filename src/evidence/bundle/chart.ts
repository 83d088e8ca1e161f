import type { HourCount } from './types.ts';

/**
 * Geometry of the contacts-per-hour bar chart, shared by the SVG (HTML report) and the PDF so both
 * show the same picture. Coordinates grow rightwards and downwards from the top-left corner, as in
 * SVG and pdfkit.
 */

/** Blue and orange stay apart for colour-blind readers and in black-and-white print. */
export const CALLS_COLOUR = '#2f5597';
export const TEXTS_COLOUR = '#e08a2c';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartBar {
  /** Start of the hour, epoch milliseconds. */
  start: number;
  calls: number;
  texts: number;
  /** Calls at the bottom, texts stacked on top; zero-height when there were none. */
  callsRect: Rect;
  textsRect: Rect;
}

export interface ChartLayout {
  width: number;
  height: number;
  /** Where the bars are drawn; the axes run along its left and bottom edges. */
  plot: Rect;
  /** Horizontal grid lines with their value. */
  ticks: { value: number; y: number }[];
  bars: ChartBar[];
  /** Hours to label under the axis (one every few when bars are narrow), x at the bar's centre. */
  labels: { start: number; x: number }[];
}

export interface ChartFrame {
  width: number;
  height: number;
  /** Room left for the axis values, the hour labels, and breathing space at the top and right. */
  margin: { left: number; right: number; top: number; bottom: number };
  /** Smallest distance between two hour labels. */
  labelGap: number;
}

/** A step of 1, 2 or 5 × 10ⁿ giving about four grid lines up to `max`. */
function tickStep(max: number): number {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  return Math.max(1, step);
}

const LABEL_EVERY = [1, 2, 3, 4, 6, 12, 24, 48, 72, 168];

/** Lays out the stacked bars of `hours` in `frame`. */
export function chartLayout(hours: readonly HourCount[], frame: ChartFrame): ChartLayout {
  const { margin } = frame;
  const plot: Rect = {
    x: margin.left,
    y: margin.top,
    width: frame.width - margin.left - margin.right,
    height: frame.height - margin.top - margin.bottom,
  };
  const highest = Math.max(0, ...hours.map((h) => h.calls + h.texts));
  const step = tickStep(highest);
  const top = Math.max(step, Math.ceil(highest / step) * step);
  const yFor = (value: number): number => plot.y + plot.height - (value / top) * plot.height;

  const ticks = [];
  for (let value = 0; value <= top; value += step) ticks.push({ value, y: yFor(value) });

  const slot = hours.length > 0 ? plot.width / hours.length : plot.width;
  const gap = slot >= 6 ? slot * 0.2 : 0;
  const bars = hours.map((hour, i): ChartBar => {
    const x = plot.x + i * slot + gap / 2;
    const width = slot - gap;
    const callsTop = yFor(hour.calls);
    const textsTop = yFor(hour.calls + hour.texts);
    return {
      start: hour.start,
      calls: hour.calls,
      texts: hour.texts,
      callsRect: { x, y: callsTop, width, height: plot.y + plot.height - callsTop },
      textsRect: { x, y: textsTop, width, height: callsTop - textsTop },
    };
  });

  const every =
    LABEL_EVERY.find((n) => n * slot >= frame.labelGap) ??
    Math.ceil(frame.labelGap / Math.max(slot, 1e-9));
  const labels = hours
    .map((hour, i) => ({ start: hour.start, x: plot.x + (i + 0.5) * slot, i }))
    .filter(({ i }) => i % every === 0)
    .map(({ start, x }) => ({ start, x }));

  return { width: frame.width, height: frame.height, plot, ticks, bars, labels };
}
