import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BundleEvent } from './bundle/types.ts';
import { busiestMinutes } from './summary.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 1, 16, 0);

/** Just what busiestMinutes reads of an event. */
function event(kind: BundleEvent['kind'], at: number, decision: string | null = null): BundleEvent {
  return { kind, at, decision } as BundleEvent;
}

describe('busiestMinutes', () => {
  it('counts calls, texts and sent replies minute by minute over a short period', () => {
    const events = [
      event('call', T0 + 10_000),
      event('text', T0 + 20_000),
      event('text', T0 + 2 * MINUTE + 59_000),
      event('reply', T0 + 2 * MINUTE, 'sent'),
      event('reply', T0 + 2 * MINUTE, 'cancelled'),
    ];
    const bins = busiestMinutes(events, T0, T0 + 30 * MINUTE);
    assert.equal(bins.length, 30, 'the whole half hour, empty minutes included');
    assert.deepEqual(bins[0], { start: T0, calls: 1, texts: 1, replies: 0 });
    assert.deepEqual(bins[2], { start: T0 + 2 * MINUTE, calls: 0, texts: 1, replies: 1 });
    assert.equal(
      bins.reduce((n, b) => n + b.calls + b.texts, 0),
      3,
    );
  });

  it('over a long period, shows the three busiest hours, from their first contact', () => {
    const day = 24 * 60 * MINUTE;
    const raidStart = T0 + 9 * 60 * MINUTE + 17 * MINUTE;
    const events = [
      event('text', T0 + MINUTE), // a calm morning text
      ...Array.from({ length: 500 }, (_, i) => event('text', raidStart + (i % 150) * MINUTE)),
      event('call', T0 + 20 * 60 * MINUTE), // a lone evening call
    ];
    const bins = busiestMinutes(events, T0, T0 + day);
    assert.equal(bins.length, 180);
    assert.equal(bins[0]!.start, raidStart);
    assert.equal(
      bins.reduce((n, b) => n + b.texts, 0),
      500,
      'every contact of the raid is in the chart',
    );
  });

  it('keeps three hours inside the period when the busiest stretch is at its end', () => {
    const end = T0 + 10 * 60 * MINUTE;
    const events = Array.from({ length: 50 }, (_, i) => event('call', end - MINUTE + i * 1000));
    const bins = busiestMinutes(events, T0, end);
    assert.equal(bins.length, 180);
    assert.equal(bins.at(-1)!.start, end - MINUTE);
    assert.equal(bins.at(-1)!.calls, 50);
  });

  it('is empty when nothing arrived, whatever replies went out', () => {
    assert.deepEqual(busiestMinutes([event('reply', T0, 'sent')], T0, T0 + MINUTE * 10), []);
  });
});
