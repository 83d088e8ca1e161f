import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartLayout } from './chart.ts';
import type { HourCount } from './types.ts';

const frame = {
  width: 600,
  height: 200,
  margin: { left: 40, right: 0, top: 0, bottom: 20 },
  labelGap: 40,
};
const hours = (counts: [number, number][]): HourCount[] =>
  counts.map(([calls, texts], i) => ({ start: i * 3_600_000, calls, texts, replies: 0 }));

describe('chartLayout', () => {
  it('stacks texts on calls, the tallest bar reaching at most the top tick', () => {
    const layout = chartLayout(
      hours([
        [60, 62],
        [30, 26],
        [0, 0],
      ]),
      frame,
    );
    const [first, , empty] = layout.bars;
    assert.ok(first && empty);
    assert.equal(first.textsRect.y + first.textsRect.height, first.callsRect.y);
    assert.equal(first.callsRect.y + first.callsRect.height, layout.plot.y + layout.plot.height);
    assert.deepEqual(
      layout.ticks.map((t) => t.value),
      [0, 50, 100, 150],
    );
    assert.ok(first.textsRect.y >= layout.plot.y);
    assert.equal(empty.callsRect.height + empty.textsRect.height, 0);
  });

  it('keeps a scale when there is nothing to show', () => {
    const layout = chartLayout(hours([[0, 0]]), frame);
    assert.deepEqual(
      layout.ticks.map((t) => t.value),
      [0, 1],
    );
    assert.equal(chartLayout([], frame).bars.length, 0);
  });

  it('labels one hour in a few when bars are narrow', () => {
    const week = hours(Array.from({ length: 168 }, () => [1, 1] as [number, number]));
    const { labels } = chartLayout(week, frame);
    assert.ok(labels.length < 20);
    for (let i = 1; i < labels.length; i++) {
      assert.ok((labels[i]?.x ?? 0) - (labels[i - 1]?.x ?? 0) >= frame.labelGap);
    }
  });
});
