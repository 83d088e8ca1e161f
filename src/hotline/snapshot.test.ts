import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Snapshot } from './snapshot.ts';

describe('snapshot of a stored value', () => {
  it('reads once, then serves from memory until invalidated', async () => {
    let reads = 0;
    const snapshot = new Snapshot(() => Promise.resolve(++reads), 60_000, 0);
    assert.equal(snapshot.value, 0, 'nothing read yet');
    assert.deepEqual([await snapshot.fresh(), await snapshot.fresh()], [1, 1]);
    snapshot.invalidate();
    assert.equal(await snapshot.fresh(), 2);
    assert.equal(snapshot.value, 2);
  });

  it('reads again once older than allowed', async () => {
    let reads = 0;
    const snapshot = new Snapshot(() => Promise.resolve(++reads), 0, 0);
    assert.deepEqual([await snapshot.fresh(), await snapshot.fresh()], [1, 2]);
  });

  it('does not trust a read that overlapped a change: it reads again', async () => {
    let stored = 'old';
    let release: () => void = () => {};
    let reads = 0;
    const snapshot = new Snapshot(
      async () => {
        reads++;
        const seen = stored;
        if (reads === 1) await new Promise<void>((resolve) => (release = resolve));
        return seen;
      },
      60_000,
      '',
    );
    const first = snapshot.fresh();
    await new Promise((resolve) => setImmediate(resolve));
    stored = 'new';
    snapshot.invalidate();
    release();
    assert.equal(await first, 'new');
    assert.equal(reads, 2);
  });

  it('shares one read among callers who ask at once', async () => {
    let reads = 0;
    const snapshot = new Snapshot(() => Promise.resolve(++reads), 60_000, 0);
    assert.deepEqual(
      await Promise.all([snapshot.fresh(), snapshot.fresh(), snapshot.fresh()]),
      [1, 1, 1],
    );
  });
});
