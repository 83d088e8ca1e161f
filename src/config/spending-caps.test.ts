import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../domain/errors.ts';
import { loadConfig } from './load.ts';

/**
 * The price and the caps are what keeps a raid from spending money: a value that would switch them
 * off (a free segment is never reserved, a cap of zero reads as "nothing" or "no limit") must stop
 * the start with a message naming the variable and what to write.
 */
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function env(values: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'nonmerci-caps-'));
  dirs.push(dir);
  return { NONMERCI_DATA_DIR: dir, NONMERCI_SECRET: 'x'.repeat(40), ...values };
}

function assertRefused(values: Record<string, string>, variable: string, says: RegExp): void {
  assert.throws(
    () => loadConfig(env(values)),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.details.variable, variable);
      assert.ok(error.message.startsWith(`${variable}: `), error.message);
      assert.match(error.message, says);
      return true;
    },
  );
}

describe('spending caps refuse values that would switch them off', () => {
  for (const price of ['0', '0.00', '0,0', '0.0000001'])
    it(`refuses SMS_SEGMENT_PRICE=${price}: a free segment would never count against a cap`, () => {
      assertRefused({ SMS_SEGMENT_PRICE: price }, 'SMS_SEGMENT_PRICE', /free[\s\S]*e\.g\. 0\.16/);
    });

  it('refuses a negative SMS_SEGMENT_PRICE, saying what to write', () => {
    assertRefused(
      { SMS_SEGMENT_PRICE: '-0.16' },
      'SMS_SEGMENT_PRICE',
      /"-0\.16" is negative.*0\.16/,
    );
  });

  it('refuses BUDGET_DAILY=0 instead of reading it as "no limit" or "nothing"', () => {
    assertRefused({ BUDGET_DAILY: '0' }, 'BUDGET_DAILY', /"0" is not a cap.*in a day, e\.g\. 5/);
  });

  it('refuses BUDGET_MONTHLY=0 instead of reading it as "no limit" or "nothing"', () => {
    assertRefused(
      { BUDGET_MONTHLY: '0.00' },
      'BUDGET_MONTHLY',
      /"0\.00" is not a cap.*in a month, e\.g\. 50/,
    );
  });

  it('refuses a daily cap above the monthly cap, naming BUDGET_DAILY and both amounts', () => {
    assertRefused(
      { BUDGET_DAILY: '60', BUDGET_MONTHLY: '50' },
      'BUDGET_DAILY',
      /60 is above BUDGET_MONTHLY \(50\)/,
    );
    assertRefused({ BUDGET_DAILY: '60' }, 'BUDGET_DAILY', /above BUDGET_MONTHLY \(50\)/);
  });

  it('accepts a daily cap equal to the monthly cap', () => {
    const { budget } = loadConfig(env({ BUDGET_DAILY: '20', BUDGET_MONTHLY: '20' }));
    assert.deepEqual(budget, { dailyMicros: 20_000_000, monthlyMicros: 20_000_000 });
  });

  it('refuses amounts above what the dashboard accepts (a cap typed in cents)', () => {
    assertRefused({ SMS_SEGMENT_PRICE: '16' }, 'SMS_SEGMENT_PRICE', /above 10/);
    assertRefused({ BUDGET_MONTHLY: '99999999999999999999' }, 'BUDGET_MONTHLY', /above 1000000/);
  });

  it('lists a cap mistake with the other mistakes, in one message', () => {
    assertRefused(
      { SMS_SEGMENT_PRICE: '0', BUDGET_DAILY: '0', PORT: 'abc' },
      'settings',
      /3 settings need fixing:[\s\S]*SMS_SEGMENT_PRICE[\s\S]*BUDGET_DAILY/,
    );
  });
});
