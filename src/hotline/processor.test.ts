import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { LoggedEvent } from '../intake/log.ts';
import { lexiconClassifier } from '../policy/text/classifier.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import { CallerMemory } from './caller-memory.ts';
import { LineDirectory } from './line-directory.ts';
import type { IntakeStore, ProcessedBatch } from './ports.ts';
import { IntakeProcessor } from './processor.ts';

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

describe('intake processor', () => {
  it(
    'tells whoever waits for an event that recording it failed, and keeps going',
    { timeout: 10_000 },
    async () => {
      const processor = new IntakeProcessor({
        store: new FailingStore(),
        lines: new LineDirectory(() => Promise.resolve([])),
        standing: new CallerMemory({ loadBlocked: () => Promise.resolve([]) }),
        vault: {} as NumberVault,
        classifier: lexiconClassifier,
        replyExpiryMs: 3_600_000,
        log: pino({ level: 'silent' }),
      });
      const waiting = processor.waitFor(7);
      await assert.rejects(waiting, /disk full/);
      await processor.drain();
      await processor.stop();
    },
  );
});
