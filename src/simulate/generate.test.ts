import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyNumber } from '../domain/phone.ts';
import { generateEvents, raidStartsAt } from './generate.ts';
import { listScenarios, loadScenario, parseScenario, type Scenario } from './scenario.ts';
import type { SimEvent, SimRole } from './types.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const shipped = new Map<string, { scenario: Scenario; events: SimEvent[] }>();
for (const { name } of listScenarios()) {
  const scenario = loadScenario(name);
  shipped.set(name, { scenario, events: generateEvents(scenario) });
}
const get = (name: string) => {
  const s = shipped.get(name);
  assert.ok(s, `scenario ${name} is shipped`);
  return s;
};

function actorsOf(events: SimEvent[], role: SimRole): Map<string, SimEvent[]> {
  const out = new Map<string, SimEvent[]>();
  for (const e of events) {
    if (e.role !== role) continue;
    const list = out.get(e.actor) ?? [];
    list.push(e);
    out.set(e.actor, list);
  }
  return out;
}

describe('every shipped scenario', () => {
  it('is one of the shipped ones', () => {
    assert.deepEqual(
      [...shipped.keys()],
      ['angry-men', 'quiet-day', 'raid-2017', 'slow-drip', 'slow-raid', 'spoofed-pumping'],
    );
  });

  for (const [name, { scenario, events }] of shipped) {
    describe(name, () => {
      it('generates sorted events inside the traffic', () => {
        assert.ok(events.length > 0);
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          assert.ok(
            Number.isInteger(e.at) && e.at >= 0 && e.at < scenario.durationMs,
            `at ${e.at}`,
          );
          if (i > 0) assert.ok(events[i - 1]!.at <= e.at, 'sorted');
          assert.match(e.actor, /^(ordinary|curious|raider|bot|spoofed)-\d+$/);
          assert.ok(e.actor.startsWith(e.role), `${e.actor} has role ${e.role}`);
          assert.equal(e.kind === 'text', typeof e.body === 'string' && e.body.length > 0);
        }
      });

      it('has exactly the configured number of people per population', () => {
        const expect: [SimRole, number | undefined][] = [
          ['ordinary', scenario.ordinary?.count],
          ['curious', scenario.curious?.count],
          ['raider', scenario.raiders?.count],
          ['bot', scenario.bots?.count],
          ['spoofed', scenario.spoofed?.count],
        ];
        for (const [role, count] of expect)
          assert.equal(actorsOf(events, role).size, count ?? 0, role);
      });

      it('is deterministic for its seed and changes with it', () => {
        assert.deepEqual(generateEvents(scenario), events);
        assert.notDeepEqual(generateEvents({ ...scenario, seed: scenario.seed + 1 }), events);
      });

      it('gives every person one caller id, and no two people the same mobile', () => {
        const owner = new Map<string, string>();
        const numberOf = new Map<string, string>();
        for (const e of events) {
          const seen = numberOf.get(e.actor);
          if (seen) assert.equal(e.from, seen, `${e.actor} keeps its number`);
          numberOf.set(e.actor, e.from);
          if (e.role === 'spoofed' && classifyNumber(e.from).type === 'withheld') continue;
          const other = owner.get(e.from);
          assert.ok(other === undefined || other === e.actor, `${e.from}: ${other} and ${e.actor}`);
          owner.set(e.from, e.actor);
        }
      });
    });
  }
});

describe('caller ids', () => {
  it('ordinary, curious, raider and bot numbers are French mobiles', () => {
    for (const { events } of shipped.values()) {
      const numbers = new Set(events.filter((e) => e.role !== 'spoofed').map((e) => e.from));
      for (const n of numbers) {
        const c = classifyNumber(n);
        assert.equal(c.type, 'mobile', n);
        assert.equal(c.country, 'FR', n);
        assert.equal(c.normalized, n);
        assert.match(n, /^\+33[67]\d{8}$/);
      }
    }
  });

  it('sequential bots share one range that nobody else uses', () => {
    const { events } = get('raid-2017');
    const bots = [...new Set(events.filter((e) => e.role === 'bot').map((e) => e.from))].sort();
    assert.equal(bots.length, 10);
    const prefix = bots[0]!.slice(0, -2);
    assert.deepEqual(
      bots,
      Array.from({ length: 10 }, (_, i) => `${prefix}0${i}`),
    );
    const others = events.filter((e) => e.role !== 'bot' && e.from.startsWith(prefix));
    assert.equal(others.length, 0);
  });

  const spoofedOnly = (kind: string) =>
    parseScenario(
      `name: ${kind}\nseed: 5\nstart: '2017-10-21T14:00:00+02:00'\nduration: 1h\nspoofed:\n  count: 300\n  contacts: 1\n  callerIds: { ${kind}: 1 }\n`,
      `${kind}.yaml`,
    );
  const classified = (kind: string) =>
    generateEvents(spoofedOnly(kind)).map((e) => ({ from: e.from, ...classifyNumber(e.from) }));

  it('premium ids are French premium-rate numbers', () => {
    for (const c of classified('premium')) {
      assert.deepEqual([c.type, c.country], ['premium_rate', 'FR'], c.from);
      assert.match(c.from, /^\+3389\d{7}$/);
    }
  });

  it('foreign ids are valid numbers outside France, from the three pumping ranges', () => {
    const list = classified('foreign');
    for (const c of list) {
      assert.notEqual(c.country, 'FR', c.from);
      assert.ok(['mobile', 'voip'].includes(c.type), `${c.from} is ${c.type}`);
      if (c.from.startsWith('+225')) assert.deepEqual([c.type, c.country], ['mobile', 'CI']);
      else if (c.from.startsWith('+44')) assert.deepEqual([c.type, c.country], ['mobile', 'GB']);
      else assert.match(c.from, /^\+88216\d{8}$/);
    }
    for (const prefix of ['+225', '+4474', '+882']) {
      assert.ok(
        list.some((c) => c.from.startsWith(prefix)),
        `some ${prefix}`,
      );
    }
  });

  it('landline ids are French fixed lines, withheld ids are withheld', () => {
    for (const c of classified('landline'))
      assert.deepEqual([c.type, c.country], ['fixed_line', 'FR'], c.from);
    const withheld = classified('anonymous');
    for (const c of withheld) assert.equal(c.type, 'withheld', c.from);
    assert.ok(withheld.some((c) => c.from === 'anonymous'));
    assert.ok(withheld.some((c) => c.from === 'restricted'));
  });

  it('spoofed-pumping mixes the kinds it asks for', () => {
    const types = new Map<string, number>();
    for (const e of get('spoofed-pumping').events.filter((x) => x.role === 'spoofed')) {
      const t = classifyNumber(e.from).type;
      types.set(t, (types.get(t) ?? 0) + 1);
    }
    assert.ok((types.get('premium_rate') ?? 0) > 1000, 'premium');
    assert.ok((types.get('mobile') ?? 0) + (types.get('voip') ?? 0) > 1000, 'foreign');
    assert.ok((types.get('fixed_line') ?? 0) > 0 && (types.get('withheld') ?? 0) > 0);
  });
});

describe('raid-2017', () => {
  const { scenario, events } = get('raid-2017');
  const raid = events.filter((e) => ['raider', 'bot', 'spoofed'].includes(e.role));

  it('has about 20,000 contacts within six hours of the raid start', () => {
    assert.ok(Math.abs(events.length - 20_000) <= 3_000, `total ${events.length}`);
    const start = raidStartsAt(scenario);
    assert.equal(start, 2 * HOUR);
    assert.ok(raid[0]!.at >= start);
    assert.ok(raid.at(-1)!.at - start <= 6 * HOUR, 'raid lasts at most 6 h');
    assert.ok(raid.at(-1)!.at - start >= 5 * HOUR, 'and nearly all of it');
  });

  it('raiders are heavy-tailed: most send a handful, a few send hundreds', () => {
    const counts = [...actorsOf(events, 'raider').values()]
      .map((l) => l.length)
      .sort((a, b) => b - a);
    const total = counts.reduce((a, b) => a + b, 0);
    const top = counts.slice(0, Math.ceil(counts.length * 0.05)).reduce((a, b) => a + b, 0);
    const median = counts[Math.floor(counts.length / 2)]!;
    assert.ok(top / total >= 0.4, `top 5 % send ${((100 * top) / total).toFixed(1)} %`);
    assert.ok(median <= 10, `median ${median}`);
    assert.ok(counts[0]! >= 300, `busiest ${counts[0]}`);
    assert.ok(counts[0]! <= 800, 'capped');
  });

  it('is about 70 % texts, mostly insulting', () => {
    const texts = events.filter((e) => e.kind === 'text').length / events.length;
    assert.ok(texts > 0.65 && texts < 0.75, `texts ${texts}`);
    const hostile = new Set(scenario.raiders!.hostileTexts.map((t) => t.toLowerCase()));
    const raiderTexts = events.filter((e) => e.role === 'raider' && e.kind === 'text');
    const plain = raiderTexts.filter((e) => hostile.has(e.body!.toLowerCase())).length;
    // 85 % hostile; 30 % of all texts varied, so ≥ 0.85 × 0.7 are verbatim pool entries (case aside).
    assert.ok(plain / raiderTexts.length > 0.6, `verbatim hostile ${plain / raiderTexts.length}`);
  });

  it('bots keep their rhythm: every 8 s ± 2 s', () => {
    for (const [actor, list] of actorsOf(events, 'bot')) {
      assert.equal(list.length, 450, actor);
      for (let i = 1; i < list.length; i++) {
        const gap = list[i]!.at - list[i - 1]!.at;
        assert.ok(gap >= 6_000 && gap <= 10_000, `${actor} gap ${gap}`);
      }
    }
  });

  it('some ordinary callers come back a while apart, and curious ones send up to three', () => {
    const returning = [...actorsOf(events, 'ordinary').values()].filter((l) => l.length === 2);
    assert.ok(returning.length >= 1 && returning.length <= 10, `${returning.length} come back`);
    for (const [a, b] of returning) {
      const gap = b!.at - a!.at;
      assert.ok(gap >= 20 * MINUTE && gap <= 5 * HOUR, `gap ${gap}`);
    }
    const curious = [...actorsOf(events, 'curious').values()].map((l) => l.length);
    assert.equal(Math.max(...curious), 3);
    assert.ok(curious.filter((n) => n > 1).length > 30);
  });
});

describe('slow-drip', () => {
  const { events } = get('slow-drip');

  it('never reaches 10 contacts in any minute', () => {
    const perMinute = new Map<number, number>();
    for (const e of events) {
      const m = Math.floor(e.at / MINUTE);
      perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    }
    const worst = Math.max(...perMinute.values());
    assert.ok(worst < 10, `worst minute ${worst}`);
    assert.ok(events.length / (8 * 60) < 3, 'a few per minute on average');
  });

  it('each raider sends 3 to 6 contacts, 10 to 40 minutes apart', () => {
    for (const [actor, list] of actorsOf(events, 'raider')) {
      assert.ok(list.length >= 3 && list.length <= 6, actor);
      for (let i = 1; i < list.length; i++) {
        const gap = list[i]!.at - list[i - 1]!.at;
        assert.ok(gap >= 10 * MINUTE - 1 && gap <= 40 * MINUTE, `${actor} gap ${gap}`);
      }
    }
  });
});

describe('raidStartsAt', () => {
  it('is the earliest hostile population, or null', () => {
    assert.equal(raidStartsAt(get('quiet-day').scenario), null);
    assert.equal(raidStartsAt(get('slow-drip').scenario), HOUR);
    assert.equal(raidStartsAt(get('spoofed-pumping').scenario), 2 * HOUR);
  });

  it('quiet-day has only ordinary and curious people', () => {
    const roles = new Set(get('quiet-day').events.map((e) => e.role));
    assert.deepEqual([...roles].sort(), ['curious', 'ordinary']);
  });
});
