import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ManualClock } from '../../domain/clock.ts';
import type { Line } from '../../domain/types.ts';
import type { ApiDeps } from './deps.ts';
import { raidApi } from './raid.ts';

const LINE: Line = {
  id: 1,
  number: '+33939000001',
  provider: 'simulator',
  language: 'fr',
  voiceText: 'Ce numéro ne répond pas.',
  voiceAudioUrl: null,
  replyText: 'Elle ne voulait pas te donner son numéro.',
  delayMs: 3_600_000,
  cooldownMs: 86_400_000,
  allowedCountries: ['FR'],
  paused: false,
  rejectCallsWhenPaused: false,
  shield: { mode: 'auto', active: true, since: 0, lastSurgeAt: null },
};

/** Keeps this thread busy for `ms` of CPU time. */
function burn(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

/** The raid API over storage that answers nothing, its counts costing `countMs` of CPU each. */
function raidOver(countMs: number) {
  const clock = new ManualClock();
  let counted = 0;
  const none = () => Promise.resolve([]);
  const deps = {
    clock,
    settings: { currency: 'EUR', timeZone: 'Europe/Paris' },
    lines: { list: () => Promise.resolve([LINE]) },
    shield: { periods: none },
    tariff: { current: () => Promise.resolve({ segmentPriceMicros: 80_000 }) },
    rules: { list: none },
    raid: {
      counts: async () => {
        counted++;
        await Promise.resolve();
        burn(countMs);
        return { contacts: 0, callers: 0, recording: 0 };
      },
      perBucket: () => Promise.resolve(new Map()),
      sentPerBucket: () => Promise.resolve(new Map()),
      replies: none,
      withoutReply: () => Promise.resolve(new Map()),
      spent: () => Promise.resolve({ sent: 0, micros: 0 }),
      topSenders: none,
      topRanges: none,
      commonTexts: none,
    },
  } as unknown as ApiDeps;
  const request = { query: {} } as FastifyRequest;
  return { api: raidApi(deps), clock, request, builds: () => counted / 3 };
}

describe('raid view pacing', () => {
  it('builds a quick view again for every request', async () => {
    const { api, clock, request, builds } = raidOver(0);
    const first = await api.view(request);
    clock.advance(1_000);
    const second = await api.view(request);
    assert.equal(second.now, first.now + 1_000);
    assert.equal(builds(), 2);
  });

  it('shares a slow view with the requests that follow, and one being built with those that wait', async () => {
    const { api, clock, request, builds } = raidOver(60);
    const [first, meanwhile] = await Promise.all([api.view(request), api.view(request)]);
    assert.equal(meanwhile, first);
    clock.advance(1_000);
    // It cost 3 × 60 ms of CPU at least: it is shared for ten times as long.
    const next = await api.view(request);
    assert.equal(next.now, first.now);
    assert.equal(builds(), 1);
  });
});
