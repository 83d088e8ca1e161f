import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../config/load.ts';
import { ManualClock } from '../domain/clock.ts';
import { Retention, retentionCutoffs, type RetentionStore } from './retention.ts';

const DAY = 86_400_000;

describe('retention', () => {
  it('erases contacts after the retention, and forgets callers no sooner than the cooldown', () => {
    const now = 1_000 * DAY;
    assert.deepEqual(retentionCutoffs(now, 90 * DAY, 30 * DAY), {
      now,
      contactsBefore: now - 90 * DAY,
      rememberBefore: now - 90 * DAY,
    });
    assert.deepEqual(retentionCutoffs(now, 30 * DAY, 90 * DAY), {
      now,
      contactsBefore: now - 30 * DAY,
      rememberBefore: now - 90 * DAY,
    });
  });

  it('reads RETENTION as a duration of at least one day, 90 days by default', () => {
    assert.equal(readSettings({}).RETENTION, 90 * DAY);
    assert.equal(readSettings({ RETENTION: '26w' }).RETENTION, 182 * DAY);
    assert.throws(() => readSettings({ RETENTION: '12h' }), /at least 1 day/);
    assert.throws(() => readSettings({ RETENTION: '90' }), /not a duration/);
  });

  it('records a run, but not a dry run', async () => {
    const recorded: unknown[] = [];
    const counts = { contacts: 2, replies: 1, callers: 1, messages: 0, journalEntries: 3 };
    const store = {
      maxCooldownMs: () => Promise.resolve(120 * DAY),
      countExpired: () => Promise.resolve(counts),
      eraseExpired: () => Promise.resolve(counts),
      recordRun: (run: unknown) => Promise.resolve(void recorded.push(run)),
      lastRun: () => Promise.resolve(null),
      keptCallers: () => Promise.resolve([]),
    } as unknown as RetentionStore;
    const clock = new ManualClock(200 * DAY);
    const retention = new Retention({
      store,
      clock,
      retentionMs: 90 * DAY,
      vault: { masked: () => '' },
    });
    const dry = await retention.run({ dryRun: true });
    assert.equal(dry.rememberBefore, 80 * DAY);
    assert.equal(recorded.length, 0);
    await retention.run();
    assert.deepEqual(recorded, [{ at: 200 * DAY, cutoff: 110 * DAY, ...counts }]);
    assert.throws(
      () => new Retention({ store, clock, retentionMs: 1000, vault: { masked: () => '' } }),
    );
  });
});
