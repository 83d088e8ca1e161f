import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  listScenarios,
  loadScenario,
  parseScenario,
  SCENARIOS_DIR,
  ScenarioError,
  DEFAULT_TARGETS,
  type Scenario,
} from './scenario.ts';
import { ORDINARY_TEXTS, HOSTILE_TEXTS } from './texts.ts';

const MINIMAL = `
name: tiny
seed: 1
start: '2017-10-21T14:00:00+02:00'
duration: 8h
`;

const FULL = `
name: full
description: Every population.
seed: 7
start: '2017-10-21T14:00:00+02:00'
duration: 8h
ordinary:
  count: 5
  window: { from: 0, to: 8h }
  textShare: 60%
  returning: { share: 0.2, gap: { min: 20m, max: 5h } }
curious:
  count: 4
  window: { from: 2h, to: 8h }
  repeat: { share: 0.5, maxContacts: 3, gap: { min: 30s, max: 10m } }
  texts: [test, essai]
raiders:
  count: 10
  start: 2h
  duration: 6h
  rampUp: 45m
  contacts: { distribution: pareto, min: 2, alpha: 1.2, max: 300 }
  pacing:
    burst: { size: { min: 1, max: 5 }, gap: { min: 3s, max: 30s } }
    pause: { min: 2m, max: 30m }
bots:
  count: 2
  window: { from: 2h, to: 4h }
  contacts: 100
  interval: 8s
  jitter: 2s
  sequentialNumbers: true
spoofed:
  count: 3
  window: { from: 3h, to: 5h }
  contacts: { distribution: uniform, min: 1, max: 4 }
  callerIds: { premium: 1, anonymous: 1 }
`;

/** Parses `text` expecting a ScenarioError; returns its problems. */
function problems(text: string, source = 'scenarios/my.yaml'): string[] {
  try {
    parseScenario(text, source);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `not a ScenarioError: ${String(error)}`);
    return error.problems;
  }
  assert.fail('the scenario was accepted');
}

/** MINIMAL plus a raiders block with one field replaced. */
const raiders = (contacts: string, extra = '') => `${MINIMAL}
raiders:
  count: 10
  start: 2h
  duration: 6h
  contacts: ${contacts}
${extra}`;

describe('parseScenario', () => {
  it('reads a minimal file: no population at all', () => {
    const s = parseScenario(MINIMAL, 'tiny.yaml');
    assert.equal(s.name, 'tiny');
    assert.equal(s.description, '');
    assert.equal(s.seed, 1);
    assert.equal(s.startMs, Date.UTC(2017, 9, 21, 12, 0, 0));
    assert.equal(s.durationMs, 8 * 3_600_000);
    assert.equal(s.source, 'tiny.yaml');
    for (const p of ['ordinary', 'curious', 'raiders', 'bots', 'spoofed'] as const) {
      assert.equal(s[p], null);
    }
  });

  it('reads every population with durations in ms, shares and defaults', () => {
    const s = parseScenario(FULL, 'full.yaml');
    assert.deepEqual(s.ordinary, {
      count: 5,
      window: { fromMs: 0, toMs: 28_800_000 },
      textShare: 0.6,
      returning: {
        share: 0.2,
        gap: { minMs: 1_200_000, maxMs: 18_000_000 },
        times: { min: 1, max: 1 },
        texts: s.ordinary?.returning?.texts,
      },
      texts: [...ORDINARY_TEXTS],
    });
    assert.deepEqual(s.curious?.texts, ['test', 'essai']);
    assert.equal(s.curious?.textShare, 0.9);
    assert.deepEqual(s.curious?.repeat, {
      share: 0.5,
      maxContacts: 3,
      gap: { minMs: 30_000, maxMs: 600_000 },
    });
    assert.equal(s.raiders?.startMs, 7_200_000);
    assert.equal(s.raiders?.rampUpMs, 2_700_000);
    assert.deepEqual(s.raiders?.contacts, { distribution: 'pareto', min: 2, alpha: 1.2, max: 300 });
    assert.deepEqual(s.raiders?.pacing, {
      pause: { minMs: 120_000, maxMs: 1_800_000 },
      burst: { size: { min: 1, max: 5 }, gap: { minMs: 3_000, maxMs: 30_000 } },
    });
    assert.equal(s.raiders?.textShare, 0.7);
    assert.equal(s.raiders?.hostileShare, 0.8);
    assert.deepEqual(s.raiders?.hostileTexts, [...HOSTILE_TEXTS]);
    assert.deepEqual(s.bots?.contacts, { distribution: 'fixed', value: 100 });
    assert.equal(s.bots?.intervalMs, 8_000);
    assert.equal(s.bots?.jitterMs, 2_000);
    assert.equal(s.bots?.sequentialNumbers, true);
    assert.deepEqual(s.spoofed?.callerIds, { premium: 1, foreign: 0, landline: 0, anonymous: 1 });
  });

  it('reads the JSON variant', () => {
    const json = JSON.stringify({
      name: 'json',
      seed: 3,
      start: '2017-10-21T14:00:00Z',
      duration: '2h',
      ordinary: { count: 2, window: { from: '0', to: '2h' } },
    });
    const s = parseScenario(json, 'scenarios/x.json');
    assert.equal(s.ordinary?.count, 2);
    assert.equal(s.startMs, Date.UTC(2017, 9, 21, 14));
    assert.match(
      problems('{"name": "x",}', 'scenarios/x.json')[0]!,
      /^scenarios\/x\.json: not valid JSON/,
    );
  });

  it('reads how many times the returning come back, and the targets, with their defaults', () => {
    const s = parseScenario(
      `${MINIMAL}
ordinary:
  count: 3
  returning: { share: 0.5, times: { min: 2, max: 5 }, gap: { min: 30s, max: 10m } }
targets:
  servedBeforeExpiry: 100%
  detectWithin: 20m
`,
      'angry.yaml',
    );
    assert.deepEqual(s.ordinary?.returning?.times, { min: 2, max: 5 });
    assert.deepEqual(s.targets, {
      raidSpend: 0.01,
      servedBeforeExpiry: 1,
      onTimeOutsideShield: 0.99,
      detectWithinMs: 20 * 60_000,
    });
    assert.deepEqual(parseScenario(MINIMAL, 'tiny.yaml').targets, DEFAULT_TARGETS);
    assert.match(problems(`${MINIMAL}\ntargets:\n  raidSpend: lots\n`)[0]!, /targets\.raidSpend/);
    assert.match(
      problems(`${MINIMAL}\ntargets:\n  detectWithn: 30m\n`)[0]!,
      /targets\.detectWithn is not a known field \(did you mean "detectWithin"\?\)/,
    );
    assert.match(
      problems(
        `${MINIMAL}\nordinary:\n  count: 3\n  returning: { share: 0.5, times: { min: 3, max: 2 }, gap: { min: 1m, max: 2m } }\n`,
      )[0]!,
      /ordinary\.returning\.times\.max \(2\) must not be below ordinary\.returning\.times\.min \(3\)/,
    );
  });

  describe('errors name the file, the field and what to write', () => {
    it('a word where a number goes', () => {
      assert.deepEqual(
        problems(raiders('{ distribution: lognormal, median: ten, sigma: 1.9, max: 800 }')),
        [
          'scenarios/my.yaml: raiders.contacts.median must be a number ≥ 1 and ≤ 100000 (got "ten")',
        ],
      );
    });

    it('an unknown field, with the likely one', () => {
      const [p] = problems(`${MINIMAL}\nordinary:\n  count: 3\n  textshare: 0.5\n`);
      assert.match(
        p!,
        /^scenarios\/my\.yaml: ordinary\.textshare is not a known field \(did you mean "textShare"\?\); known fields here: count, window, textShare, returning, texts$/,
      );
      assert.match(
        problems(`${MINIMAL}\nraider:\n  count: 3\n`)[0]!,
        /raider is not a known field \(did you mean "raiders"\?\)/,
      );
      assert.match(
        problems(`${MINIMAL}\ncolour: blue\n`)[0]!,
        /^scenarios\/my\.yaml: colour is not a known field; known fields here: name,/,
      );
    });

    it('a duration without unit', () => {
      assert.deepEqual(problems(MINIMAL.replace('duration: 8h', 'duration: 30')), [
        'scenarios/my.yaml: duration must be a duration with a unit, like "90s", "15m", "6h" or "1h30m" (got 30); a bare number has no unit: write "30s" or "30m"',
      ]);
      assert.match(
        problems(raiders('5').replace('start: 2h', 'start: soon'))[0]!,
        /raiders\.start must be a duration .*\(got "soon"\)/,
      );
    });

    it('a share out of range', () => {
      assert.match(
        problems(raiders('5', '  textShare: 1.5'))[0]!,
        /raiders\.textShare must be a share between 0 and 1, like 0\.7 or "70%" \(got 1\.5\)/,
      );
      assert.match(
        problems(raiders('5', '  hostileShare: "120%"'))[0]!,
        /raiders\.hostileShare must be a share/,
      );
    });

    it('a missing field, with an example', () => {
      assert.deepEqual(problems(MINIMAL.replace('seed: 1\n', '')), [
        'scenarios/my.yaml: seed is required: write e.g. seed: 2017',
      ]);
      assert.match(
        problems(`${MINIMAL}\nbots:\n  count: 3\n  contacts: 10\n`)[0]!,
        /bots\.interval is required: write e.g\. interval: 8s/,
      );
    });

    it('a start without its offset', () => {
      assert.match(
        problems(MINIMAL.replace("'2017-10-21T14:00:00+02:00'", "'2017-10-21 14:00'"))[0]!,
        /start must be a date and time with its UTC offset, in quotes, like "2017-10-21T14:00:00\+02:00" \(got "2017-10-21 14:00"\)/,
      );
    });

    it('windows and raids that overflow the traffic', () => {
      assert.match(
        problems(`${MINIMAL}\nordinary:\n  count: 3\n  window: { from: 1h, to: 9h }\n`)[0]!,
        /ordinary\.window\.to \(9h\) must not be after the end of the traffic \(duration: 8h\)/,
      );
      assert.match(
        problems(`${MINIMAL}\ncurious:\n  count: 3\n  window: { from: 3h, to: 1h }\n`)[0]!,
        /curious\.window\.to \(1h\) must be after curious\.window\.from \(3h\)/,
      );
      assert.match(
        problems(raiders('5').replace('duration: 6h', 'duration: 7h'))[0]!,
        /raiders\.duration \(7h\) starting at 2h ends after the traffic \(duration: 8h\); shorten it to at most 6h/,
      );
    });

    it('contact distributions', () => {
      assert.match(
        problems(raiders('{ distribution: zipf, max: 3 }'))[0]!,
        /raiders\.contacts\.distribution must be one of uniform, lognormal, pareto \(got "zipf"\)/,
      );
      assert.match(
        problems(raiders('{ distribution: uniform, min: 5, max: 2 }'))[0]!,
        /raiders\.contacts\.max \(2\) must not be below raiders\.contacts\.min \(5\)/,
      );
      assert.match(
        problems(raiders('{ distribution: lognormal, median: 5, sigma: 1 }'))[0]!,
        /raiders\.contacts\.max is required/,
      );
      assert.match(
        problems(raiders('{ distribution: uniform, min: 1, max: 3, sigma: 2 }'))[0]!,
        /raiders\.contacts\.sigma is not a field of a uniform distribution; it takes min, max/,
      );
      assert.match(
        problems(raiders('0'))[0]!,
        /raiders\.contacts must be a whole number ≥ 1 \(contacts per actor\), or a distribution/,
      );
    });

    it('bots whose jitter swallows the interval', () => {
      assert.match(
        problems(
          `${MINIMAL}\nbots:\n  count: 3\n  contacts: 10\n  interval: 5s\n  jitter: 5s\n`,
        )[0]!,
        /bots\.jitter \(5s\) must be shorter than bots\.interval \(5s\)/,
      );
    });

    it('spoofed caller ids with no weight', () => {
      assert.match(
        problems(
          `${MINIMAL}\nspoofed:\n  count: 3\n  contacts: 1\n  callerIds: { premium: 0 }\n`,
        )[0]!,
        /spoofed\.callerIds needs at least one kind/,
      );
      assert.match(
        problems(
          `${MINIMAL}\nspoofed:\n  count: 3\n  contacts: 1\n  callerIds: { premum: 1 }\n`,
        )[0]!,
        /spoofed\.callerIds\.premum is not a known field \(did you mean "premium"\?\)/,
      );
    });

    it('texts must be a list of texts', () => {
      assert.match(
        problems(`${MINIMAL}\ncurious:\n  count: 3\n  texts: test\n`)[0]!,
        /curious\.texts must be a list of texts/,
      );
      assert.match(
        problems(`${MINIMAL}\ncurious:\n  count: 3\n  texts: [test, '']\n`)[0]!,
        /curious\.texts\[1\] must be a non-empty text/,
      );
    });

    it('lists every mistake at once', () => {
      const text = `name: ''\nseed: -1\nstart: '2017-10-21T14:00:00+02:00'\nduration: 8h\nordinary: { count: 2.5 }\n`;
      const found = problems(text);
      assert.equal(found.length, 3);
      const error = (() => {
        try {
          parseScenario(text, 'a.yaml');
        } catch (e) {
          return e as Error;
        }
        return null;
      })();
      assert.match(
        error!.message,
        /^3 problems in the scenario:\n {2}- a\.yaml: name must be a non-empty text \(got ""\)\n {2}- a\.yaml: seed must be a whole number ≥ 0 and ≤ 4294967295 \(got -1\)/,
      );
    });

    it('bad YAML and empty files', () => {
      assert.match(
        problems('name: [unclosed\n')[0]!,
        /^scenarios\/my\.yaml: not valid YAML \(line \d+\)/,
      );
      assert.match(problems('')[0]!, /^scenarios\/my\.yaml: the file is empty/);
      assert.match(problems('- a\n- b\n')[0]!, /the file must be a group of fields/);
      assert.match(problems(`${MINIMAL}name: again\n`)[0]!, /not valid YAML/);
    });
  });
});

describe('loadScenario and listScenarios', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-scenarios-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a bare name as .yaml, then .json, and reads paths as they are', () => {
    writeFileSync(join(dir, 'a.yaml'), MINIMAL.replace('name: tiny', 'name: from-yaml'));
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({ name: 'from-json', seed: 1, start: '2017-10-21T14:00:00Z', duration: '1h' }),
    );
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ name: 'only-json', seed: 1, start: '2017-10-21T14:00:00Z', duration: '1h' }),
    );
    assert.equal(loadScenario('a', dir).name, 'from-yaml');
    assert.equal(loadScenario('b', dir).name, 'only-json');
    assert.equal(loadScenario(join(dir, 'a.json')).name, 'from-json');
    assert.throws(
      () => loadScenario('nope', dir),
      /no scenario named "nope" in .*; available: a, a, b/,
    );
    assert.throws(
      () => loadScenario(join(dir, 'missing.yaml')),
      /missing\.yaml: no such scenario file/,
    );
  });

  it('names the file in errors', () => {
    writeFileSync(join(dir, 'bad.yaml'), `${MINIMAL}\nraiders: { count: ten }\n`);
    const rel = relative(process.cwd(), join(dir, 'bad.yaml'));
    const shown = rel.startsWith('..') ? join(dir, 'bad.yaml') : rel;
    assert.throws(
      () => loadScenario('bad', dir),
      (e: ScenarioError) =>
        e.problems[0]!.startsWith(`${shown}: raiders.count must be a whole number`),
    );
    const listed = listScenarios(dir).find((s) => s.name === 'bad');
    assert.match(listed?.error ?? '', /raiders\.count/);
  });

  it('ships six scenarios that all load', () => {
    const listed = listScenarios();
    assert.deepEqual(
      listed.map((s) => s.name),
      ['angry-men', 'quiet-day', 'raid-2017', 'slow-drip', 'slow-raid', 'spoofed-pumping'],
    );
    for (const s of listed) assert.equal(s.error, null, `${s.name}: ${s.error}`);
    const raid: Scenario = loadScenario('raid-2017');
    assert.equal(raid.source, relative(process.cwd(), join(SCENARIOS_DIR, 'raid-2017.yaml')));
    assert.equal(raid.start, '2017-10-21T14:00:00+02:00');
    assert.equal(raid.raiders?.startMs, 2 * 3_600_000);
  });
});
