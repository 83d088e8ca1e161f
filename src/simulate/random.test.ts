import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chance,
  hash32,
  integer,
  lognormal,
  mulberry32,
  normal,
  pareto,
  pick,
  stream,
  uniform,
  weighted,
} from './random.ts';
import { drawCount, rampedOffset, sessionOffsets } from './generate.ts';

const N = 20_000;
const sample = (f: () => number, n = N) => Array.from({ length: n }, f);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('mulberry32', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = sample(mulberry32(42), 50);
    assert.deepEqual(sample(mulberry32(42), 50), a);
    assert.notDeepEqual(sample(mulberry32(43), 50), a);
  });

  it('stays in [0, 1) with a flat spread', () => {
    const xs = sample(mulberry32(7));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(mean(xs) - 0.5) < 0.01);
    const tenths = new Array<number>(10).fill(0);
    for (const x of xs) tenths[Math.floor(x * 10)]!++;
    for (const t of tenths) assert.ok(Math.abs(t - N / 10) < N / 50, `bucket ${t}`);
  });

  it('derives independent streams per label', () => {
    assert.notEqual(hash32('1:raider'), hash32('1:bot'));
    assert.notDeepEqual(sample(stream(1, 'raider'), 5), sample(stream(1, 'bot'), 5));
    assert.deepEqual(sample(stream(1, 'raider'), 5), sample(stream(1, 'raider'), 5));
  });
});

describe('samplers', () => {
  it('integer covers both bounds and nothing else', () => {
    const rng = mulberry32(1);
    const seen = new Set(sample(() => integer(rng, 3, 6), 2000));
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });

  it('uniform, chance and pick', () => {
    const rng = mulberry32(2);
    assert.ok(sample(() => uniform(rng, 10, 20), 1000).every((x) => x >= 10 && x < 20));
    const hits = sample(() => (chance(rng, 0.3) ? 1 : 0)).filter(Boolean).length;
    assert.ok(Math.abs(hits / N - 0.3) < 0.02);
    assert.equal(pick(rng, ['only']), 'only');
    assert.throws(() => pick(rng, []));
  });

  it('weighted follows the weights and never picks a zero weight', () => {
    const rng = mulberry32(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < N; i++) counts[weighted(rng, { a: 1, b: 3, c: 0 })]++;
    assert.equal(counts.c, 0);
    assert.ok(Math.abs(counts.b / N - 0.75) < 0.02);
  });

  it('normal has mean 0 and standard deviation 1', () => {
    const rng = mulberry32(4);
    const xs = sample(() => normal(rng));
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    assert.ok(Math.abs(m) < 0.03, `mean ${m}`);
    assert.ok(Math.abs(sd - 1) < 0.03, `sd ${sd}`);
  });

  it('lognormal has the given median and a long right tail', () => {
    const rng = mulberry32(5);
    const xs = sorted(sample(() => lognormal(rng, 6, 1.9)));
    const median = xs[N / 2]!;
    assert.ok(median > 5.4 && median < 6.6, `median ${median}`);
    assert.ok(mean(xs) > 4 * median, 'mean far above median');
  });

  it('pareto never goes below its minimum and has the right tail', () => {
    const rng = mulberry32(6);
    const xs = sample(() => pareto(rng, 2, 1.5));
    assert.ok(xs.every((x) => x >= 2));
    const above4 = xs.filter((x) => x > 4).length / N; // (2/4)^1.5 ≈ 0.354
    assert.ok(Math.abs(above4 - 0.354) < 0.02, `P(X > 4) = ${above4}`);
  });

  it('drawCount caps heavy tails and keeps at least one contact', () => {
    const rng = mulberry32(8);
    const xs = sample(() =>
      drawCount(rng, { distribution: 'lognormal', median: 3, sigma: 3, max: 50 }),
    );
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 50));
    assert.ok(xs.includes(50), 'the cap is reached');
    assert.equal(drawCount(rng, { distribution: 'fixed', value: 7 }), 7);
  });
});

describe('rampedOffset', () => {
  it('maps [0, 1) onto [0, length] with a rising then flat rate', () => {
    assert.equal(rampedOffset(0, 60, 360), 0);
    assert.ok(Math.abs(rampedOffset(0.999999, 60, 360) - 360) < 0.01);
    assert.equal(rampedOffset(0.5, 0, 100), 50);
    // Rising: the first 30 of the 60-unit ramp hold a quarter of the ramp's mass.
    const rng = mulberry32(9);
    const xs = sample(() => rampedOffset(rng(), 60, 360));
    const early = xs.filter((x) => x < 30).length;
    const late = xs.filter((x) => x >= 30 && x < 60).length;
    assert.ok(late > 2.5 * early, `early ${early}, late ${late}`);
    const flatA = xs.filter((x) => x >= 100 && x < 200).length;
    const flatB = xs.filter((x) => x >= 200 && x < 300).length;
    assert.ok(Math.abs(flatA - flatB) < N / 30);
  });
});

describe('sessionOffsets', () => {
  const pacing = {
    pause: { minMs: 600_000, maxMs: 2_400_000 },
    burst: null,
  };
  it('spaces contacts by the pause range when they fit', () => {
    const offsets = sessionOffsets(mulberry32(10), 6, pacing, 86_400_000);
    assert.equal(offsets.length, 6);
    for (let i = 1; i < offsets.length; i++) {
      const gap = offsets[i]! - offsets[i - 1]!;
      assert.ok(gap >= 600_000 && gap <= 2_400_000, `gap ${gap}`);
    }
  });

  it('squeezes pauses, then everything, into the span', () => {
    const burst = {
      pause: { minMs: 600_000, maxMs: 600_000 },
      burst: { size: { min: 5, max: 5 }, gap: { minMs: 10_000, maxMs: 10_000 } },
    };
    const roomy = sessionOffsets(mulberry32(11), 10, burst, 3_600_000);
    assert.deepEqual(roomy.slice(0, 5), [0, 10_000, 20_000, 30_000, 40_000]);
    assert.equal(roomy.at(-1), 40_000 + 600_000 + 40_000);
    const tight = sessionOffsets(mulberry32(11), 10, burst, 200_000);
    assert.equal(tight[4], 40_000, 'bursts kept');
    assert.ok(Math.abs(tight.at(-1)! - 200_000) < 1e-6, 'ends at the span');
    const tiny = sessionOffsets(mulberry32(11), 10, burst, 9_000);
    assert.ok(tiny.every((t, i) => t <= 9_000 && (i === 0 || t >= tiny[i - 1]!)));
  });
});
