import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intakeCheck } from './checks.ts';

describe('doctor: the intake log', () => {
  const now = Date.UTC(2026, 11, 6, 21, 0, 0);

  it('holds when everything received is recorded', () => {
    const check = intakeCheck({ waiting: 0, oldestAt: null, setAside: 0 }, now);
    assert.equal(check.ok, true);
    assert.match(check.message, /Every call and text received is recorded/);
  });

  it('holds with a backlog, says how old it is, and what to check once it lingers', () => {
    const fresh = intakeCheck({ waiting: 120, oldestAt: now - 3000, setAside: 0 }, now);
    assert.equal(fresh.ok, true);
    assert.match(fresh.message, /120 call\(s\) or text\(s\) .* waiting .* 3 s/);
    assert.equal(fresh.fix, null);
    const old = intakeCheck({ waiting: 5, oldestAt: now - 600_000, setAside: 0 }, now);
    assert.equal(old.ok, true);
    assert.match(old.fix ?? '', /--role web/);
  });

  it('fails on events set aside after failing again and again, and says where to look', () => {
    const check = intakeCheck({ waiting: 0, oldestAt: now - 600_000, setAside: 2 }, now);
    assert.equal(check.ok, false);
    assert.match(check.message, /^2 received call\(s\) or text\(s\) could not be recorded/);
    assert.match(check.fix ?? '', /could not record an event of the intake log/);
  });
});
