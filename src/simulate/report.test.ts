import { problems } from '../../test/support/language.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import {
  bucketise,
  escapeHtml,
  renderHtml,
  renderText,
  summarise,
  type SimSummary,
} from './report.ts';
import { DEFAULT_TARGETS } from './scenario.ts';
import type { SimEvent, SimOutcome, SimReply, SimRole } from './types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const START = Date.UTC(2017, 9, 21, 12, 0, 0); // 14:00 in Paris
const PRICE = 160_000;

const ev = (at: number, actor: string, kind: 'call' | 'text' = 'text'): SimEvent => ({
  at,
  actor,
  role: actor.split('-')[0] as SimRole,
  from: `+3361234${actor.length}${Math.round(at / MIN) % 1000}`,
  kind,
  body: kind === 'text' ? 'x' : null,
});

/** A reply due one hour after `contactAt` (offset), sent `lateBy` after that, or never (null). */
const reply = (
  actor: string,
  contactAt: number,
  lateBy: number | null,
  extra: Partial<SimReply> = {},
): SimReply => ({
  actor,
  role: actor.split('-')[0] as SimRole,
  destinationType: 'mobile',
  destinationCountry: 'FR',
  scheduledAt: START + contactAt,
  dueAt: START + contactAt + HOUR,
  expiresAt: START + contactAt + 25 * HOUR,
  sentAt: lateBy === null ? null : START + contactAt + HOUR + lateBy,
  reason: lateBy === null ? 'hostile' : 'sent',
  costMicros: lateBy === null ? 0 : PRICE,
  ...extra,
});

/**
 * 12 contacts: 3 ordinary callers (one twice), 1 curious, a raider ×3, a bot ×2, a spoofed id ×2.
 * Replies: ordinary-1 sent 10 min late (due before the shield: late), ordinary-2 3 h late (due
 * while the shield is on, which lasts to the end: on time), ordinary-3 never; curious-1 sent.
 */
function outcome(change: (o: SimOutcome) => void = () => {}): SimOutcome {
  const o: SimOutcome = {
    scenario: { name: 'hand-built', description: 'Twelve contacts.' },
    settings: {
      replyDelayMs: HOUR,
      currency: 'EUR',
      segmentPriceMicros: PRICE,
      replyCostMicros: PRICE,
      dailyCapMicros: 5_000_000,
      monthlyCapMicros: 50_000_000,
      allowedCountries: ['FR'],
      pollMs: 10_000,
      shield: { SHIELD_MODE: 'auto' },
    },
    targets: { ...DEFAULT_TARGETS },
    start: START,
    end: START + 6 * HOUR,
    raidStartsAt: HOUR,
    events: [
      ev(0, 'ordinary-1'),
      ev(10 * MIN, 'ordinary-2', 'call'),
      ev(20 * MIN, 'ordinary-3'),
      ev(HOUR, 'raider-1'),
      ev(HOUR + 1_000, 'raider-1'),
      ev(HOUR + 2_000, 'raider-1', 'call'),
      ev(HOUR + 3 * MIN, 'bot-1'),
      ev(HOUR + 3 * MIN + 8_000, 'bot-1'),
      ev(HOUR + 7 * MIN, 'curious-1'),
      ev(HOUR + 8 * MIN, 'spoofed-1', 'call'),
      ev(HOUR + 9 * MIN, 'spoofed-1'),
      ev(2 * HOUR, 'ordinary-1', 'call'),
    ],
    replies: [
      reply('ordinary-1', 0, 10 * MIN),
      reply('ordinary-2', 10 * MIN, 3 * HOUR),
      reply('ordinary-3', 20 * MIN, null, { reason: 'budget_exhausted' }),
      reply('raider-1', HOUR, null),
      reply('curious-1', HOUR + 7 * MIN, 5 * MIN),
      reply('spoofed-1', HOUR + 8 * MIN, null, {
        destinationType: 'premium_rate',
        reason: 'destination_not_allowed',
      }),
    ],
    shieldPeriods: [{ from: START + HOUR + 5 * MIN, to: null, trigger: 'auto' }],
    budget: [
      { period: 'day:2017-10-21', spentMicros: 3 * PRICE, capMicros: 5_000_000 },
      { period: 'month:2017-10', spentMicros: 3 * PRICE, capMicros: 50_000_000 },
    ],
    wallMs: 1234,
  };
  change(o);
  return o;
}

const target = (s: SimSummary, id: string) => {
  const t = s.targets.find((x) => x.id === id);
  assert.ok(t, `target ${id}`);
  return t;
};

describe('summarise', () => {
  const s = summarise(outcome());

  it('counts contacts and people per role', () => {
    assert.equal(s.contacts.total, 12);
    assert.deepEqual(s.contacts.byRole, { ordinary: 4, curious: 1, raider: 3, bot: 2, spoofed: 2 });
    assert.deepEqual(s.actors, { ordinary: 3, curious: 1, raider: 1, bot: 1, spoofed: 1 });
  });

  it('adds up spend against the naive autoresponder', () => {
    assert.equal(s.repliesSent, 3);
    assert.deepEqual(s.spend, {
      totalMicros: 3 * PRICE,
      raidMicros: 0,
      ordinaryMicros: 2 * PRICE,
      curiousMicros: PRICE,
    });
    assert.equal(s.naiveSpendMicros, 12 * PRICE);
    assert.equal(s.raidSpendPctOfNaive, 0);
  });

  it('follows ordinary callers: served before expiry, on time, and how late', () => {
    assert.deepEqual(s.ordinary, {
      people: 3,
      reachable: 3,
      served: 2,
      onTime: 1,
      servedPct: 200 / 3,
      onTimePct: 100 / 3,
      outsideShield: { reachable: 3, onTime: 1, pct: 100 / 3 },
      latenessMedianMs: Math.round((10 * MIN + 3 * HOUR) / 2),
      latenessMaxMs: 3 * HOUR,
    });
  });

  it('gives every group its people, served and on time', () => {
    assert.deepEqual(s.groups, {
      ordinary: { people: 3, reachable: 3, served: 2, onTime: 1 },
      curious: { people: 1, reachable: 1, served: 1, onTime: 1 },
      raider: { people: 1, reachable: 1, served: 0, onTime: 0 },
      bot: { people: 1, reachable: 0, served: 0, onTime: 0 },
      spoofed: { people: 1, reachable: 0, served: 0, onTime: 0 },
    });
  });

  it('counts a reply as on time within one poll of due, or of the shield going off', () => {
    const timed = (lateBy: number, contactAt = 0, shieldTo: number | null = null) =>
      summarise(
        outcome((o) => {
          o.replies = [reply('ordinary-1', contactAt, lateBy)];
          o.shieldPeriods = [{ from: START + HOUR + 5 * MIN, to: shieldTo, trigger: 'auto' }];
        }),
      ).ordinary.onTime;
    assert.equal(timed(10_000), 1, 'one poll late: on time');
    assert.equal(timed(10_001), 0, 'a moment more: late');
    // Due at 1h10 while the shield is on until 2h: on time up to 2h + one poll, and no later.
    assert.equal(timed(50 * MIN + 10_000, 10 * MIN, START + 2 * HOUR), 1);
    assert.equal(timed(50 * MIN + 10_001, 10 * MIN, START + 2 * HOUR), 0);
  });

  it('does not expect an SMS for a number none may reach, and counts one sent after expiry as not served', () => {
    const landline = summarise(
      outcome((o) => {
        o.replies[2] = reply('ordinary-3', 20 * MIN, null, {
          destinationType: 'fixed_line',
          reason: 'destination_not_allowed',
        });
        o.replies[1] = reply('ordinary-2', 10 * MIN, 25 * HOUR);
      }),
    );
    assert.equal(landline.ordinary.reachable, 2);
    assert.equal(landline.ordinary.served, 1, 'ordinary-2 was texted after his reply expired');
  });

  it('counts who else got an SMS', () => {
    assert.equal(s.curiousRepliedTo, 1);
    assert.equal(s.raidersRepliedTo, 0);
    assert.equal(s.spoofedDestinationsTexted, 0);
    assert.equal(s.capsHeld, true);
    assert.deepEqual(s.capsExceeded, []);
    assert.equal(s.fullestBudget?.period, 'day:2017-10-21');
  });

  it('times the shield: detection after the raid start, time on until the end', () => {
    assert.equal(s.shieldEngaged, true);
    assert.equal(s.shieldPeriods, 1);
    assert.equal(s.timeToDetectMs, 5 * MIN);
    assert.equal(s.shieldMs, 6 * HOUR - HOUR - 5 * MIN);
    assert.equal(s.wallMs, 1234);
  });

  it('checks the raid targets: an unserved and a late ordinary caller fail, the rest hold', () => {
    assert.deepEqual(
      s.targets.map((t) => [t.id, t.ok]),
      [
        ['raid_spend', true],
        ['ordinary_before_expiry', false],
        ['ordinary_on_time_outside_shield', false],
        ['shield_detected', true],
        ['caps_held', true],
        ['no_spoofed_texted', true],
      ],
    );
    assert.equal(target(s, 'ordinary_before_expiry').detail, '2/3 (66.7 %)');
    assert.equal(target(s, 'ordinary_on_time_outside_shield').detail, '1/3 (33.3 %)');
    assert.equal(target(s, 'raid_spend').detail, '0.00 % (€0.00 of €1.92)');
    assert.equal(target(s, 'shield_detected').detail, 'engaged 5m after the raid began');
    assert.equal(target(s, 'raid_spend').name, 'raid spend ≤ 1 % of naive');
  });

  it("passes when everyone is served before expiry and on time, with the scenario's own bars", () => {
    const good = summarise(
      outcome((o) => {
        o.replies[0] = reply('ordinary-1', 0, 0);
        o.replies[1] = reply('ordinary-2', 10 * MIN, 2 * HOUR);
        o.replies[2] = reply('ordinary-3', 20 * MIN, 0);
      }),
    );
    assert.equal(good.ordinary.servedPct, 100);
    assert.equal(good.ordinary.outsideShield.pct, 100);
    assert.ok(
      good.targets.every((t) => t.ok),
      JSON.stringify(good.targets),
    );
    const strict = summarise(
      outcome((o) => {
        o.targets = { ...o.targets, detectWithinMs: 4 * MIN };
      }),
    );
    assert.equal(target(strict, 'shield_detected').ok, false);
    assert.equal(target(strict, 'shield_detected').name, "shield on within 4m of the raid's start");
  });

  it('fails raid_spend above 1 % of naive and counts the raider', () => {
    const bad = summarise(outcome((o) => o.replies.push(reply('raider-1', HOUR, 0))));
    assert.equal(bad.spend.raidMicros, PRICE);
    assert.ok(Math.abs(bad.raidSpendPctOfNaive - 100 / 12) < 1e-9);
    assert.equal(bad.raidersRepliedTo, 1);
    assert.equal(target(bad, 'raid_spend').ok, false);
  });

  it('fails no_spoofed_texted on an SMS to a premium number or a spoofed caller', () => {
    const premium = summarise(
      outcome((o) =>
        o.replies.push(reply('ordinary-3', 0, 0, { destinationType: 'premium_rate' })),
      ),
    );
    assert.equal(premium.spoofedDestinationsTexted, 1);
    assert.equal(target(premium, 'no_spoofed_texted').ok, false);
    const spoofed = summarise(outcome((o) => o.replies.push(reply('spoofed-1', HOUR, 0))));
    assert.equal(spoofed.spoofedDestinationsTexted, 1);
    assert.equal(target(spoofed, 'no_spoofed_texted').ok, false);
  });

  it('fails caps_held when one period went over', () => {
    const bad = summarise(
      outcome((o) => {
        o.budget[0]!.spentMicros = 5_160_000;
      }),
    );
    assert.equal(bad.capsHeld, false);
    assert.equal(target(bad, 'caps_held').ok, false);
    assert.equal(target(bad, 'caps_held').detail, 'day:2017-10-21: €5.16 > €5.00');
  });

  it('checks the quiet-day targets when there is no raid', () => {
    const quiet = (change: (o: SimOutcome) => void) =>
      summarise(
        outcome((o) => {
          o.raidStartsAt = null;
          o.events = o.events.filter((e) => e.role === 'ordinary' || e.role === 'curious');
          o.replies = o.replies.filter((r) => r.role === 'ordinary' || r.role === 'curious');
          change(o);
        }),
      );
    const noisy = quiet(() => {});
    assert.equal(noisy.timeToDetectMs, null);
    assert.deepEqual(
      noisy.targets.map((t) => [t.id, t.ok]),
      [
        ['shield_off', false],
        ['ordinary_all_on_time', false],
        ['caps_held', true],
        ['no_spoofed_texted', true],
      ],
    );
    const calm = quiet((o) => {
      o.shieldPeriods = [];
      o.replies[0] = reply('ordinary-1', 0, 5_000);
      o.replies[1] = reply('ordinary-2', 10 * MIN, 0);
      o.replies[2] = reply('ordinary-3', 20 * MIN, 10_000);
    });
    assert.equal(calm.shieldEngaged, false);
    assert.equal(calm.shieldMs, 0);
    assert.ok(calm.targets.every((t) => t.ok));
  });

  it('reads reply and shield times given as offsets the same way', () => {
    const asOffsets = summarise(
      outcome((o) => {
        o.replies = o.replies.map((r) => ({
          ...r,
          scheduledAt: r.scheduledAt - START,
          expiresAt: r.expiresAt - START,
          dueAt: r.dueAt - START,
          sentAt: r.sentAt === null ? null : r.sentAt - START,
        }));
        o.shieldPeriods = [{ from: HOUR + 5 * MIN, to: 5 * HOUR, trigger: 'auto' }];
      }),
    );
    assert.equal(asOffsets.timeToDetectMs, 5 * MIN);
    assert.equal(asOffsets.shieldMs, 4 * HOUR - 5 * MIN);
    assert.deepEqual(asOffsets.ordinary, s.ordinary);
  });

  it('handles an empty replay', () => {
    const empty = summarise(
      outcome((o) => {
        o.events = [];
        o.replies = [];
        o.shieldPeriods = [];
        o.budget = [];
      }),
    );
    assert.equal(empty.ordinary.onTimePct, 100);
    assert.equal(empty.ordinary.servedPct, 100);
    assert.equal(empty.ordinary.latenessMedianMs, null);
    assert.equal(empty.raidSpendPctOfNaive, 0);
    assert.equal(empty.timeToDetectMs, null);
    assert.deepEqual(
      empty.targets.filter((t) => !t.ok).map((t) => t.id),
      ['shield_detected'],
      'a raid was announced but the shield never came on',
    );
  });
});

describe('bucketise', () => {
  it('counts contacts, replies and cumulative spend per bucket, up to the last activity', () => {
    const b = bucketise(outcome(), 30 * MIN);
    // The replay's clock stops at 6 h, but the last thing that happens is an SMS at 4h10m.
    assert.equal(b.offsets.length, 9);
    assert.deepEqual(b.offsets.slice(0, 3), [0, 30 * MIN, HOUR]);
    assert.deepEqual(b.ordinary, [3, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.deepEqual(b.raid, [0, 0, 7, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(b.curious, [0, 0, 1, 0, 0, 0, 0, 0, 0]);
    // Sent: ordinary-1 at 1h10m, curious-1 at 2h12m, ordinary-2 at 4h10m.
    assert.deepEqual(b.replies, [0, 0, 1, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(b.repliesOrdinary, [0, 0, 1, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(
      b.spendMicros,
      [0, 0, 1, 1, 2, 2, 2, 2, 3].map((n) => n * PRICE),
    );
    // The shield is still on at the end: it runs to the end of the last bucket.
    assert.deepEqual(b.shield, [{ from: HOUR + 5 * MIN, to: 9 * 30 * MIN }]);
  });

  it('covers a closed shield period and an SMS after the replay end', () => {
    const b = bucketise(
      outcome((o) => {
        o.shieldPeriods = [{ from: START + HOUR, to: START + 5 * HOUR + 1, trigger: 'auto' }];
        o.replies.push(reply('ordinary-3', 6 * HOUR, 0));
      }),
      HOUR,
    );
    assert.equal(b.offsets.length, 8); // sent at 7h: bucket [7h, 8h)
    assert.equal(b.replies.at(-1), 1);
    assert.deepEqual(b.shield, [{ from: HOUR, to: 5 * HOUR + 1 }]);
    const shieldOnly = bucketise(
      outcome((o) => {
        o.replies = [];
        o.events = [ev(0, 'ordinary-1')];
        o.shieldPeriods = [{ from: START + HOUR, to: START + 3 * HOUR, trigger: 'operator' }];
      }),
      HOUR,
    );
    assert.equal(shieldOnly.offsets.length, 4);
    assert.throws(() => bucketise(outcome(), 0), RangeError);
  });
});

describe('renderText', () => {
  it('prints figures, money and a mark per target', () => {
    const text = renderText(summarise(outcome()));
    assert.match(text, /^nonmerci replay: hand-built\n/);
    assert.match(text, /Naive autoresponder +€1\.92/);
    assert.match(
      text,
      /Ordinary callers served +2 \/ 3 +before expiry; 1 on time \(33\.3 %\); 1 \/ 3 came outside shield periods, on time/,
    );
    assert.match(
      text,
      /By group: served before expiry\n +ordinary +2 \/ 3 +1 on time\n +curious +1 \/ 1 +1 on time/,
    );
    assert.match(text, /✓ raid spend ≤ 1 % of naive/);
    assert.match(text, /✗ ≥ 99 % of ordinary callers served before expiry +2\/3 \(66\.7 %\)/);
    assert.match(
      text,
      /✓ shield on within 30m of the raid's start +engaged 5m after the raid began/,
    );
    assert.match(text, /engaged 5m after the raid began/);
    const lines = text.split('\n');
    const col = (label: string) => {
      const line = lines.find((l) => l.startsWith(label))!;
      return line.indexOf('€') + 5;
    };
    assert.equal(col('Spend'), col('Naive autoresponder'), 'values are right-aligned');
  });

  it('speaks French', () => {
    const text = renderText(summarise(outcome()), 'fr');
    assert.match(text, /Rejeu nonmerci : hand-built/);
    assert.match(
      text,
      /✗ ≥ 99 % des appelants ordinaires servis avant expiration +2\/3 \(66,7 %\)/,
    );
    assert.match(text, /Par groupe : servis avant expiration\n +ordinaires +2 \/ 3 +1 à l’heure/);
  });
});

describe('renderHtml', () => {
  const evil = outcome((o) => {
    o.scenario = {
      name: 'x</title><script>alert("name")</script>',
      description: '<script>alert(1)</script> & co',
    };
    o.settings.shield = { '<b>': '</script><script>alert(2)</script>' };
  });
  const html = renderHtml(evil, summarise(evil));

  it('escapes every text it shows', () => {
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co'));
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('</script><script>alert(2)'));
    assert.equal(html.match(/<script/g)?.length, 3, 'uPlot, data, chart');
    assert.equal(html.match(/<\/script>/g)?.length, 3);
  });

  it('is self-contained: uPlot inlined, nothing fetched', () => {
    assert.ok(html.includes('uPlot'));
    assert.ok(html.includes('.uplot'), 'uPlot stylesheet inlined');
    assert.doesNotMatch(html, /<link|<script[^>]+src=|<img|@import/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });

  it('carries the chart data in 5-minute buckets and the shield period', () => {
    const json = /<script type="application\/json" id="sim-data">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(json);
    const data = JSON.parse(json) as {
      series: (number | null)[][];
      shield: number[][];
      labels: Record<string, string>;
      timeZone: string;
    };
    const b = bucketise(evil, 5 * MIN);
    assert.equal(data.series.length, 6);
    assert.equal(data.series[0]!.length, b.offsets.length);
    assert.equal(data.series[0]![0], START / 1000);
    assert.deepEqual(data.series[1], b.raid);
    assert.deepEqual(
      data.series[3],
      b.ordinary.map((n) => n || null),
    );
    assert.deepEqual(
      data.series[4],
      b.replies.map((n) => n || null),
    );
    assert.equal(data.series[5]!.at(-1), 0.48);
    assert.deepEqual(data.shield, [
      [(START + HOUR + 5 * MIN) / 1000, (START + b.offsets.length * 5 * MIN) / 1000],
    ]);
    assert.equal(data.timeZone, 'Europe/Paris');
    assert.equal(data.labels.raid, 'contacts du raid');
  });

  it('shows the targets and settings, in French by default and in English on request', () => {
    assert.match(html, /<html lang="fr">/);
    assert.match(
      html,
      /<span class="ko">✗<\/span> ≥ 99 % des appelants ordinaires servis avant expiration/,
    );
    assert.match(html, /<dt>plafond journalier<\/dt><dd>5,00\s€<\/dd>/);
    const en = renderHtml(evil, summarise(evil), 'en');
    assert.match(en, /<html lang="en">/);
    assert.match(en, /<span class="ok">✓<\/span> raid spend ≤ 1 % of naive/);
    assert.match(en, /<dt>daily cap<\/dt><dd>€5\.00<\/dd>/);
  });

  it('escapeHtml covers the five characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('the chart script', () => {
  it('builds a uPlot chart from the data and shades the shield period', () => {
    const o = outcome();
    const html = renderHtml(o, summarise(o), 'en');
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]!);
    const json = /<script type="application\/json" id="sim-data">(.*?)<\/script>/s.exec(html)![1]!;
    const created: { opts: Record<string, unknown>; data: number[][] }[] = [];
    const rects: number[][] = [];
    function FakeUPlot(this: unknown, opts: Record<string, unknown>, data: number[][]) {
      created.push({ opts, data });
    }
    FakeUPlot.tzDate = (d: Date) => d;
    FakeUPlot.rangeAsinh = (min: number, max: number) => [min, max];
    FakeUPlot.fmtNum = (v: number) => String(v);
    const sandbox = {
      uPlot: FakeUPlot,
      window: { addEventListener: () => {} },
      document: {
        getElementById: (id: string) =>
          id === 'sim-data' ? { textContent: json } : { clientWidth: 600 },
      },
    };
    runInNewContext(scripts[1]!, sandbox);
    assert.equal(created.length, 1);
    const { opts, data } = created[0]!;
    assert.equal(data.length, 6);
    assert.equal((opts.series as unknown[]).length, 6);
    assert.equal(opts.width, 600);
    const hooks = (opts.plugins as { hooks: { drawClear: ((u: unknown) => void)[] } }[])[0]!.hooks;
    const x0 = data[0]![0]!;
    const x1 = data[0]!.at(-1)!;
    hooks.drawClear[0]!({
      bbox: { left: 50, top: 10, width: 500, height: 300 },
      valToPos: (v: number) => 50 + (500 * (v - x0)) / (x1 - x0),
      ctx: {
        save: () => {},
        restore: () => {},
        fillRect: (...r: number[]) => rects.push(r),
        fillStyle: '',
      },
    });
    assert.equal(rects.length, 1);
    const [left, top, w, h] = rects[0]!;
    assert.ok(left! > 50 && left! < 200, `starts after 1h05m: ${left}`);
    assert.ok(Math.abs(left! + w! - 550) < 1e-6, 'runs to the end of the plot');
    assert.deepEqual([top, h], [10, 300]);
  });
});

describe('the replay report speaks one language', () => {
  it('holds no word of the other language, no code and no dictionary key, in French and in English', () => {
    const o = outcome();
    for (const language of ['fr', 'en'] as const) {
      const html = renderHtml(o, summarise(o), language);
      const text = html
        .replace(/<script[\s\S]*?<\/script>/g, ' ')
        .replace(/<style[\s\S]*?<\/style>/g, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&[a-z#0-9]+;/g, ' ');
      assert.deepEqual(problems(text, language), [], `${language}: ${text.slice(0, 400)}`);
    }
  });
});
