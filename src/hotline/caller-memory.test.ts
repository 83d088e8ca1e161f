import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { CallerMemory, recentKey } from './caller-memory.ts';

const T = Date.UTC(2026, 11, 7, 12);
const index = (n: number) =>
  createHmac('sha256', 'test').update(`+3361234${n}`).digest('base64url');
const memory = (maxRecent?: number) =>
  new CallerMemory({ loadBlocked: () => Promise.resolve([]), maxRecent });

describe('caller memory', () => {
  it('knows when a caller last reached each line', () => {
    const m = memory();
    assert.equal(m.seenSince(1, index(1), T - 1), false);
    m.see(1, index(1), T);
    m.see(1, index(1), T - 60_000); // an event recorded late keeps the later time
    assert.equal(m.seenSince(1, index(1), T), true);
    assert.equal(m.seenSince(1, index(1), T + 1), false);
    assert.equal(m.seenSince(2, index(1), T - 1), false);
    assert.equal(m.seenSince(1, index(2), T - 1), false);
    m.see(2, index(2), T + 5_000);
    assert.equal(m.seenSince(2, index(2), T + 5_000), true);
    assert.equal(m.seenSince(1, index(1), T - 86_400_000), true);
  });

  it('forgets the callers seen least lately beyond its bound', () => {
    const m = memory(3);
    for (let n = 1; n <= 3; n++) m.see(1, index(n), T + n);
    m.see(1, index(1), T + 10); // seen again: now the latest
    m.see(1, index(4), T + 11);
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => m.seenSince(1, index(n), T)),
      [true, false, true, true],
    );
  });

  it('gives a hundred thousand callers on two lines as many different keys', () => {
    const keys = new Set<number>();
    for (let n = 0; n < 100_000; n++) keys.add(recentKey(1 + (n % 2), index(n)));
    assert.equal(keys.size, 100_000);
    for (const key of [recentKey(1, index(0)), recentKey(2_000_000, 'x')]) {
      assert.ok(Number.isSafeInteger(key) && key >= 0);
    }
  });
});
