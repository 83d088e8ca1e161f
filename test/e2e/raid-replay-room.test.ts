import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { generateEvents } from '../../src/simulate/generate.ts';
import { loadScenario } from '../../src/simulate/scenario.ts';
import type { RaidView } from '../../src/web/api/contract.ts';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import { LINE, postSigned } from '../support/hotline.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * The whole of scenarios/raid-2017 (some 20,000 calls and texts from 800 numbers), sent as signed
 * Twilio webhooks to `nonmerci serve` while the raid room is open in Chromium, as fast as the
 * server takes them: the shield wakes up on its own, and once everything is recorded the room's
 * figures are those of the database itself (read with SQLite next to the server), at 1280 px in
 * French and at 390 px in English, with axe on both.
 */

const ADMIN_PASSWORD = 'une phrase assez longue pour entrer';
const EVENTS = generateEvents(loadScenario('raid-2017'));
/** Webhooks in flight at once, as a provider's fan-out would send them. */
const CONCURRENCY = 32;
/** The replayed raid lasts at least this long (real time): two looks of the shield's monitor. */
const MIN_RAID_MS = 20_000;

describe('raid room during a replayed raid-2017', { skip: BROWSER_SKIP, timeout: 300_000 }, () => {
  let browser: Browser;
  let page: Page;
  let server: E2eServer;

  before(async () => {
    server = await startE2eServer({ twilio: true, env: { ADMIN_PASSWORD } });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
    });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await signInAs(page, server.base, ADMIN_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const raidView = async () =>
    (await (await page.request.get(`${server.base}/api/raid`)).json()) as RaidView;
  const shown = async (testId: string) =>
    Number(await page.getByTestId(testId).getAttribute('data-value'));

  it('takes the whole raid, wakes the shield, and shows the figures of the database', async () => {
    await page.goto(`${server.base}/raid`);
    await page.getByRole('heading', { level: 1, name: 'Salle de raid' }).waitFor();

    let sid = 0;
    const started = performance.now();
    const queue = [...EVENTS];
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let e = queue.shift(); e; e = queue.shift()) {
          const id = String(++sid).padStart(32, '0');
          // Spread over at least MIN_RAID_MS, so that the shield's monitor (every 10 s) looks
          // during the raid, as it does during a real one, however fast the server takes it.
          const due = started + (sid / EVENTS.length) * MIN_RAID_MS;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const params: Record<string, string> =
            e.kind === 'call'
              ? { CallSid: `CA${id}`, From: e.from, To: LINE, CallStatus: 'ringing' }
              : { MessageSid: `SM${id}`, From: e.from, To: LINE, Body: e.body ?? '' };
          const path = e.kind === 'call' ? '/webhooks/twilio/voice' : '/webhooks/twilio/sms';
          const res = await postSigned(server.base, path, params, server.fake!.authToken, {
            publicUrl: server.base,
          });
          await res.arrayBuffer();
          if (res.status !== 200) refused.push(`${path} ${res.status}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `raid-2017: ${EVENTS.length} webhooks in ${seconds.toFixed(1)} s (${Math.round(EVENTS.length / seconds)}/s)`,
    );
    assert.deepEqual(refused, []);

    const db = new Database(join(server.dataDir, 'nonmerci.db'), { readonly: true });
    try {
      const count = (sql: string, ...args: unknown[]) =>
        Number((db.prepare(sql).get(...args) as { n: number }).n);
      await waitFor(
        'every contact to be recorded',
        () =>
          Promise.resolve(
            count('select count(*) as n from contacts') === EVENTS.length ? true : undefined,
          ),
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      const period = db
        .prepare('select started_at as start from shield_periods order by id desc limit 1')
        .get() as { start: number } | undefined;
      assert.ok(period, 'the shield woke up on its own');

      // The room follows the live stream; once still, its figures are the database's.
      const view = await waitFor(
        'the raid room to settle',
        async () => {
          const v = await raidView();
          return (await shown('raid-contacts')) === v.contacts ? v : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const from = view.window.from;
      const to = view.window.to;
      assert.equal(from, Number(period.start), 'the room counts the shield period');
      assert.equal(
        view.contacts,
        count(
          'select count(*) as n from contacts where received_at >= ? and received_at < ?',
          from,
          to,
        ),
      );
      assert.equal(
        view.callers,
        count(
          'select count(distinct caller_id) as n from contacts where received_at >= ? and received_at < ?',
          from,
          to,
        ),
      );
      const top = view.topSenders[0]!;
      assert.equal(
        top.contacts,
        count(
          'select count(*) as n from contacts where caller_id = ? and received_at >= ? and received_at < ?',
          top.callerId,
          from,
          to,
        ),
      );
      assert.ok(view.contacts > 1000, `a raid, not a trickle: ${view.contacts}`);
      assert.equal(await shown('raid-avoided'), view.money.avoidedMicros);
      console.log(
        `raid room: ${view.contacts} contacts from ${view.callers} numbers in the shield period, top sender ${top.contacts}`,
      );
    } finally {
      db.close();
    }
    await checkPage(page, '21-raid-room-raid-2017');
  });

  it('reads the same in English on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(`localStorage.setItem('nonmerci.language', 'en')`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Raid room' }).waitFor();
    await checkPage(page, '22-raid-room-raid-2017-phone-en');
  });
});
