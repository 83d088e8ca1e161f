import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { summarise, type SimSummary, type TargetId } from '../src/simulate/report.ts';
import { replay } from '../src/simulate/run.ts';
import { listScenarios, loadScenario } from '../src/simulate/scenario.ts';

/**
 * Every shipped scenario replayed through the real pipeline on a virtual clock, with the default
 * settings, checked against its targets (the table `npm run bench:raid` prints). No time is
 * asserted: the replay's clock is virtual.
 *
 * One target is known to be out of reach: slow-drip's raid ramps up over its first hour, and in its
 * first 30 minutes brings three hostile newcomers — as many as the angry-men day has in its
 * busiest half hour. No detector can switch the shield on there without also switching it on for a
 * calm day of angry men, which would silence them; the slow-raid detector sees it once it grows.
 */
const KNOWN_MISSES: Record<string, TargetId[]> = { 'slow-drip': ['shield_detected'] };

const settings = () =>
  loadConfig({
    NONMERCI_SECRET: randomBytes(32).toString('base64url'),
    NONMERCI_DATA_DIR: '/nonexistent',
  });

const summaries = new Map<string, SimSummary>();
async function summary(name: string): Promise<SimSummary> {
  let s = summaries.get(name);
  if (!s) {
    s = summarise(await replay(loadScenario(name), settings()));
    summaries.set(name, s);
  }
  return s;
}

const failed = (s: SimSummary) =>
  s.targets.filter((t) => !t.ok).map((t) => `${t.id}: ${t.name} — ${t.detail}`);

describe('scenario targets on the virtual clock', { timeout: 240_000 }, () => {
  it('ships the scenarios the targets are written for', () => {
    const names = listScenarios().map((l) => l.name);
    for (const name of ['angry-men', 'quiet-day', 'raid-2017', 'slow-drip', 'slow-raid'])
      assert.ok(names.includes(name), name);
    assert.ok(names.includes('spoofed-pumping'));
  });

  for (const { name } of listScenarios()) {
    it(`${name}: every target met${KNOWN_MISSES[name] ? ' but the known miss' : ''}`, async () => {
      const s = await summary(name);
      const known = KNOWN_MISSES[name] ?? [];
      const misses = s.targets.filter((t) => !t.ok && !known.includes(t.id));
      assert.deepEqual(misses, [], failed(s).join('\n'));
      // A known miss that is met again should be taken off the list.
      for (const id of known)
        assert.equal(s.targets.find((t) => t.id === id)?.ok, false, `${id} is met now`);
    });
  }

  it('angry-men: every man gets his SMS on time although most of them insult the line', async () => {
    const s = await summary('angry-men');
    assert.equal(s.shieldEngaged, false);
    assert.ok(s.ordinary.people >= 15, 'about twenty men');
    assert.equal(s.ordinary.onTime, s.ordinary.reachable);
    assert.equal(s.ordinary.reachable, s.ordinary.people, 'all of them on French mobiles');
    assert.equal(s.groups.curious.served, 0, 'the curious "test" senders get nothing');
    assert.ok(s.groups.curious.people >= 3);
  });

  it('quiet-day: everyone served on time, the shield never on', async () => {
    const s = await summary('quiet-day');
    assert.equal(s.shieldEngaged, false);
    assert.equal(s.ordinary.onTimePct, 100);
  });

  it('raid-2017: at most 1 % of naive, every ordinary caller served before expiry', async () => {
    const s = await summary('raid-2017');
    assert.ok(s.raidSpendPctOfNaive <= 1, `${s.raidSpendPctOfNaive} %`);
    assert.equal(s.ordinary.served, s.ordinary.reachable);
    assert.ok(s.ordinary.outsideShield.pct >= 99);
    assert.equal(s.capsHeld, true);
  });

  for (const name of ['slow-drip', 'slow-raid']) {
    it(`${name}: the slow-raid detector switches the shield on, spend ≤ 1 % of naive`, async () => {
      const s = await summary(name);
      assert.ok(s.shieldEngaged, 'no per-minute threshold is crossed: only the slow detector');
      assert.ok(s.timeToDetectMs !== null && s.timeToDetectMs >= 0);
      assert.ok(s.raidSpendPctOfNaive <= 1, `${s.raidSpendPctOfNaive} %`);
      assert.ok(s.ordinary.servedPct >= 99, `${s.ordinary.servedPct} %`);
    });
  }

  it('slow-raid: the shield is on within 30 minutes of the first raider', async () => {
    const s = await summary('slow-raid');
    assert.ok(s.timeToDetectMs! <= 30 * 60_000, `${s.timeToDetectMs} ms`);
  });

  it('spoofed-pumping: no reply to a spoofed or premium number', async () => {
    const s = await summary('spoofed-pumping');
    assert.equal(s.spoofedDestinationsTexted, 0);
    assert.equal(s.groups.spoofed.served, 0);
  });
});
