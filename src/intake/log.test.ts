import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntakeLog, type IntakeLogStore, type LogEntry } from './log.ts';

function entry(sid: string): LogEntry {
  return {
    provider: 'twilio',
    providerSid: sid,
    lineId: 1,
    kind: 'text',
    receivedAt: 0,
    callerIndex: `i-${sid}`,
    callerEnc: `e-${sid}`,
    callerType: 'mobile',
    callerCountry: 'FR',
    body: 'Allô ?',
  };
}

/** Records each append call; `known` sids are answered as already delivered. */
class FakeStore implements IntakeLogStore {
  calls: string[][] = [];
  known = new Set<string>();
  poison = new Set<string>();
  #next = 1;
  #release: (() => void) | null = null;
  hold = false;

  async append(entries: readonly LogEntry[]): Promise<Array<number | null>> {
    this.calls.push(entries.map((e) => e.providerSid));
    if (this.hold) await new Promise<void>((resolve) => (this.#release = resolve));
    if (entries.some((e) => this.poison.has(e.providerSid))) throw new Error('bad entry');
    return entries.map((e) => {
      if (this.known.has(e.providerSid)) return null;
      this.known.add(e.providerSid);
      return this.#next++;
    });
  }

  release(): void {
    this.hold = false;
    this.#release?.();
  }
}

describe('intake log (group commit)', () => {
  it('writes the webhooks of one turn of the event loop in one transaction', async () => {
    const store = new FakeStore();
    const log = new IntakeLog(store);
    const ids = await Promise.all(['a', 'b', 'c'].map((sid) => log.append(entry(sid))));
    assert.deepEqual(store.calls, [['a', 'b', 'c']]);
    assert.deepEqual(ids, [1, 2, 3]);
    assert.equal(log.appended, 3);
  });

  it('gathers what arrives during a commit into the next one, at most maxBatch at a time', async () => {
    const store = new FakeStore();
    const log = new IntakeLog(store, { maxBatch: 2 });
    store.hold = true;
    const first = log.append(entry('a'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = ['b', 'c', 'd'].map((sid) => log.append(entry(sid)));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(store.calls, [['a']], 'nothing else is written while a commit runs');
    store.release();
    await Promise.all([first, ...later]);
    assert.deepEqual(store.calls, [['a'], ['b', 'c'], ['d']]);
  });

  it('answers a provider retry as already delivered, and wakes the processor only for new events', async () => {
    const store = new FakeStore();
    store.known.add('old');
    const woken: number[] = [];
    const log = new IntakeLog(store, { onAppended: (n) => woken.push(n) });
    assert.deepEqual(await Promise.all([log.append(entry('old')), log.append(entry('new'))]), [
      null,
      1,
    ]);
    assert.deepEqual(woken, [1]);
  });

  it('lets one bad entry fail alone: its neighbours are written one by one', async () => {
    const store = new FakeStore();
    store.poison.add('bad');
    const log = new IntakeLog(store);
    const results = await Promise.allSettled(
      ['a', 'bad', 'c'].map((sid) => log.append(entry(sid))),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(store.calls, [['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    assert.equal(log.appended, 2);
  });
});
