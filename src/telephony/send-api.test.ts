import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DELIVERY_REPORT_WAIT_MS, DeliveryReportWait } from './send-api.ts';

const MINUTE = 60_000;

describe('DeliveryReportWait', () => {
  it('waits for the report from the attempt, then takes the send as not sent', () => {
    const wait = new DeliveryReportWait();
    const attempt = 1_000_000;
    assert.deepEqual(wait.lookup('k', attempt, attempt + MINUTE), {
      waitUntil: attempt + MINUTE + DELIVERY_REPORT_WAIT_MS,
    });
    assert.equal(wait.lookup('k', attempt, attempt + MINUTE + DELIVERY_REPORT_WAIT_MS), null);
  });

  it('after a long outage, still gives the provider’s retried reports their time', () => {
    const attempt = 1_000_000;
    const back = attempt + 3 * 60 * MINUTE; // the server was down for three hours
    const restarted = new DeliveryReportWait();
    assert.deepEqual(restarted.lookup('k', attempt, back), {
      waitUntil: back + DELIVERY_REPORT_WAIT_MS,
    });
    assert.deepEqual(restarted.lookup('k', attempt, back + 5 * MINUTE), {
      waitUntil: back + DELIVERY_REPORT_WAIT_MS,
    });
    assert.equal(restarted.lookup('k', attempt, back + DELIVERY_REPORT_WAIT_MS), null);
  });

  it('keeps each reply’s wait apart', () => {
    const wait = new DeliveryReportWait();
    wait.lookup('a', 0, 0);
    assert.deepEqual(wait.lookup('b', 0, 10 * MINUTE), {
      waitUntil: 10 * MINUTE + DELIVERY_REPORT_WAIT_MS,
    });
    assert.equal(wait.lookup('a', 0, DELIVERY_REPORT_WAIT_MS), null);
  });
});
