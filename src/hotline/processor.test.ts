import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../domain/clock.ts';
import type { LoggedEvent } from '../intake/log.ts';
import { lexiconClassifier } from '../policy/text/classifier.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import { CallerMemory } from './caller-memory.ts';
import { LineDirectory } from './line-directory.ts';
import type { IntakeStore, NewContact, ProcessedBatch } from './ports.ts';
import { IntakeProcessor, type ProcessorOptions } from './processor.ts';

const event = (id: number): LoggedEvent => ({
  id,
  provider: 'simulator',
  providerSid: `SM${id}`,
  lineId: 1,
  kind: 'text',
  receivedAt: 0,
  callerIndex: `i${id}`,
  callerEnc: `e${id}`,
  callerType: 'mobile',
  callerCountry: 'FR',
  body: 'Allô ?',
  failures: 0,
});

/** A log whose every event fails to be recorded, once. */
class FailingStore implements IntakeStore {
  waiting = [event(7)];
  processBatch(): Promise<ProcessedBatch> {
    const failed = this.waiting.map((e) => ({ event: e, error: new Error('disk full') }));
    this.waiting = [];
    return Promise.resolve({ done: [], failed });
  }
  lookup() {
    return Promise.resolve(null);
  }
}

/** A log holding a backlog, each batch taking a few milliseconds, as a database's would. */
class BacklogStore implements IntakeStore {
  batches = 0;
  waiting: LoggedEvent[];
  constructor(waiting: LoggedEvent[]) {
    this.waiting = waiting;
  }
  async processBatch(limit: number): Promise<ProcessedBatch> {
    this.batches++;
    await new Promise((resolve) => setTimeout(resolve, 2));
    const done = this.waiting.splice(0, limit).map((e) => ({
      event: e,
      contact: contactOf(e),
      result: {
        duplicate: false,
        contactId: e.id,
        callerId: e.id,
        outcome: 'reply_scheduled' as const,
        replyId: e.id,
        callerBlocked: false,
      },
    }));
    return { done, failed: [] };
  }
  lookup() {
    return Promise.resolve(null);
  }
}

function contactOf(e: LoggedEvent): NewContact {
  return {
    lineId: e.lineId,
    kind: e.kind,
    provider: e.provider,
    providerSid: e.providerSid,
    receivedAt: e.receivedAt,
    body: e.body,
    labels: null,
    optOut: false,
    evidenceMark: null,
    caller: {
      number: '+33612345678',
      index: e.callerIndex,
      enc: e.callerEnc,
      type: 'mobile',
      country: 'FR',
      prefixIndex: null,
    },
    reply: { dueAt: 0, expiresAt: 0, cooldownSince: 0, idempotencyKey: `k${e.id}` },
  };
}

/** A processor over `store`, with no line, blocklist or vault behind it. */
function processorOver(store: IntakeStore, options: Partial<ProcessorOptions> = {}) {
  return new IntakeProcessor({
    store,
    lines: new LineDirectory(() => Promise.resolve([])),
    standing: new CallerMemory({ loadBlocked: () => Promise.resolve([]) }),
    vault: {} as NumberVault,
    classifier: lexiconClassifier,
    replyExpiryMs: 3_600_000,
    log: pino({ level: 'silent' }),
    clock: new ManualClock(),
    ...options,
  });
}

/** A processor over `store` while webhooks keep arriving (every look at the count finds more). */
function flooded(store: IntakeStore, clock: ManualClock) {
  let arrivals = 0;
  return processorOver(store, {
    clock,
    restFactor: 1_000_000,
    lagMs: 10_000,
    arrivals: () => ++arrivals,
  });
}

describe('intake processor', () => {
  it('rests between batches during a flood while the backlog is young', async (t) => {
    const clock = new ManualClock();
    const store = new BacklogStore(
      Array.from({ length: 100 }, (_, i) => ({ ...event(i + 1), receivedAt: clock.now() })),
    );
    const processor = flooded(store, clock);
    t.after(() => processor.stop());
    processor.appended(100);
    // The first batch took at least 2 ms: the next one comes 2,000 s later at the earliest.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(store.batches, 1);
    assert.equal(store.waiting.length, 100 - 32);
  });

  it(
    'stops resting during a flood once the oldest event waiting is lagMs old',
    { timeout: 10_000 },
    async (t) => {
      const clock = new ManualClock();
      const store = new BacklogStore(
        Array.from({ length: 100 }, (_, i) => ({ ...event(i + 1), receivedAt: clock.now() })),
      );
      clock.advance(10_000);
      const processor = flooded(store, clock);
      t.after(() => processor.stop());
      const all = new Promise<void>((resolve) => {
        let seen = 0;
        processor.subscribe(() => {
          if (++seen === 100) resolve();
        });
      });
      processor.appended(100);
      await all;
      assert.equal(store.waiting.length, 0);
      // A small batch first (a flood is on), then, the backlog found 10 s old, a full-sized one.
      assert.equal(store.batches, 2);
    },
  );

  it(
    'tells whoever waits for an event that recording it failed, and keeps going',
    { timeout: 10_000 },
    async () => {
      const processor = processorOver(new FailingStore());
      const waiting = processor.waitFor(7);
      await assert.rejects(waiting, /disk full/);
      await processor.drain();
      await processor.stop();
    },
  );
});
