import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryMeaning, laterStatus, type DeliveryMeaning } from './delivery.ts';

describe('deliveryMeaning', () => {
  const cases: [status: string, meaning: DeliveryMeaning][] = [
    ['accepted', { final: false, charged: true }],
    ['scheduled', { final: false, charged: true }],
    ['queued', { final: false, charged: true }],
    ['sending', { final: false, charged: true }],
    ['sent', { final: false, charged: true }],
    ['delivered', { final: true, charged: true }],
    ['read', { final: true, charged: true }],
    ['undelivered', { final: true, charged: true }],
    ['failed', { final: true, charged: false }],
    ['canceled', { final: true, charged: false }],
  ];
  for (const [status, meaning] of cases) {
    it(`${status}: final=${meaning.final}, charged=${meaning.charged}`, () => {
      assert.deepEqual(deliveryMeaning(status), meaning);
    });
  }

  it('treats an unknown status as not final', () => {
    assert.equal(deliveryMeaning('something-new').final, false);
  });
});

describe('laterStatus', () => {
  const cases: [current: string | null, incoming: string, result: string][] = [
    [null, 'queued', 'queued'],
    [null, 'delivered', 'delivered'],
    ['queued', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'read', 'read'],
    // Out of order: the earlier stage arrives last.
    ['delivered', 'sent', 'delivered'],
    ['delivered', 'queued', 'delivered'],
    ['sent', 'sending', 'sent'],
    ['read', 'delivered', 'read'],
    ['failed', 'sent', 'failed'],
    ['undelivered', 'queued', 'undelivered'],
    ['canceled', 'scheduled', 'canceled'],
    ['queued', 'accepted', 'queued'],
    // An unknown incoming status never replaces a known one.
    ['queued', 'mystery', 'queued'],
  ];
  for (const [current, incoming, result] of cases) {
    it(`${current} then ${incoming} → ${result}`, () => {
      assert.equal(laterStatus(current, incoming), result);
    });
  }

  it('never moves backwards, whatever the order callbacks arrive in', () => {
    const lifecycle = ['queued', 'sending', 'sent', 'delivered', 'read'];
    const rank = (s: string) => lifecycle.indexOf(s);
    // Every permutation of the five callbacks ends on "read" and never steps back.
    const permutations = (xs: string[]): string[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) =>
            permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
          );
    for (const order of permutations(lifecycle)) {
      let status: string | null = null;
      for (const incoming of order) {
        const next = laterStatus(status, incoming);
        if (status !== null)
          assert.ok(rank(next) >= rank(status), `${order.join(',')}: ${status} → ${next}`);
        status = next;
      }
      assert.equal(status, 'read');
    }
  });
});
