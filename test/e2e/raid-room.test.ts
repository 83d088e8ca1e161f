import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RaidView } from '../../src/web/api/contract.ts';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import { callParams, postSigned, smsParams } from '../support/hotline.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * The raid room in a real Chromium against `nonmerci serve`: a raid arrives through signed Twilio
 * webhooks while the page is open; its figures follow without a reload and agree with the API, a
 * range is blocked with one button, and the page passes axe in French at 1280 px and in English
 * at 390 px. Screenshots go to test-results/e2e/.
 */

const ADMIN_PASSWORD = 'une phrase assez longue pour entrer';
const TIMEOUT = 15_000;
/** Twelve numbers of one range of 100, and one loud number elsewhere. */
const rangeNumber = (i: number) => `+336123456${String(i).padStart(2, '0')}`;
const LOUD = '+33698765432';

describe('raid room in a real browser', { skip: BROWSER_SKIP, timeout: 180_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: E2eServer;

  before(async () => {
    server = await startE2eServer({ twilio: true, env: { ADMIN_PASSWORD } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const webhook = (path: string, params: Record<string, string>) =>
    postSigned(server.base, path, params, server.fake!.authToken, { publicUrl: server.base });
  const text = (from: string, body: string) =>
    webhook('/webhooks/twilio/sms', smsParams(from, body));
  const raidView = async () =>
    (await (await page.request.get(`${server.base}/api/raid`)).json()) as RaidView;
  const shown = async (testId: string) =>
    Number(await page.getByTestId(testId).getAttribute('data-value'));

  it('signs in and opens the raid room from the banner once the shield is on', async () => {
    await signInAs(page, server.base, ADMIN_PASSWORD);
    const card = page.getByRole('article').first();
    await card.getByRole('button', { name: 'Toujours actif', exact: true }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Passer sur « Toujours actif »' })
      .click();
    await page.getByRole('link', { name: 'Ouvrir la salle de raid' }).click();
    await page.getByRole('heading', { level: 1, name: 'Salle de raid' }).waitFor();
    await page.getByText(/Bouclier actif depuis/).waitFor();
  });

  it('follows a raid as it arrives, without a reload, with the figures of the database', async () => {
    for (let i = 0; i < 12; i++)
      assert.equal((await text(rangeNumber(i), 'réponds connasse')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await text(LOUD, `t'es où ${i % 2}`)).status, 200);
    assert.equal((await webhook('/webhooks/twilio/voice', callParams(LOUD))).status, 200);
    await waitFor(
      'the raid room to count 18 contacts',
      async () => ((await shown('raid-contacts')) === 18 ? true : undefined),
      {
        timeoutMs: TIMEOUT,
        intervalMs: 100,
      },
    );
    // Counted as they are answered (the intake log's events included); ranked by number and range
    // once the processor has recorded them, which on a busy machine takes a moment longer.
    const view = await waitFor(
      'the processor to record the raid',
      async () => {
        const v = await raidView();
        return v.recording === 0 && v.topSenders.length > 0 ? v : undefined;
      },
      { timeoutMs: TIMEOUT, intervalMs: 100 },
    );
    assert.deepEqual([view.contacts, view.callers], [18, 13]);
    await waitFor(
      'the page to show the money the API counts',
      async () => ((await shown('raid-avoided')) === view.money.avoidedMicros ? true : undefined),
      { timeoutMs: TIMEOUT, intervalMs: 100 },
    );
    await page
      .getByTestId('raid-senders')
      .getByText(view.topSenders[0]!.nickname!)
      .first()
      .waitFor();
    await page
      .getByTestId('raid-ranges')
      .locator('.range', { hasText: '+33 6 12 34 56 ··' })
      .waitFor();
    // The most common texts stay blurred until asked for.
    assert.equal(await page.getByTestId('raid-texts').getByText('réponds connasse').count(), 0);
    await page.getByRole('button', { name: 'Afficher les messages' }).click();
    await page.getByTestId('raid-texts').getByText('réponds connasse').waitFor();
    await checkPage(page, '20-raid-room');

    // One more contact: the page follows within the live stream's second.
    const sent = performance.now();
    await text(rangeNumber(40), 'allô');
    await waitFor(
      'the raid room to count the new contact',
      async () => ((await shown('raid-contacts')) === 19 ? true : undefined),
      {
        timeoutMs: TIMEOUT,
        intervalMs: 50,
      },
    );
    const latency = performance.now() - sent;
    console.log(`raid room updated ${Math.round(latency)} ms after the webhook`);
  });

  it('blocks a whole range with one button, and the range then refuses calls', async () => {
    await page.getByRole('button', { name: /Bloquer la plage/ }).click();
    await page.getByText(/Plage \+33 6 12 34 56 ·· bloquée/).waitFor();
    await page.getByTestId('raid-ranges').getByText('Bloqué', { exact: true }).waitFor();
    const call = await webhook('/webhooks/twilio/voice', callParams(rangeNumber(77)));
    assert.match(await call.text(), /<Reject/);
    // Refused, and still recorded (as the raid's evidence), by the processor a moment later.
    await waitFor(
      'the refused call to be counted in the raid',
      async () => ((await raidView()).contacts === 20 ? true : undefined),
      { timeoutMs: TIMEOUT, intervalMs: 100 },
    );
  });

  it('exports the raid as an evidence bundle in one click, with the contacts the room counts', async () => {
    const view = await raidView();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exporter les preuves de ce raid' }).click(),
    ]);
    const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const jsonl = Object.keys(zip).find((name) => name.endsWith('/events.jsonl'))!;
    const rows = strFromU8(zip[jsonl]!)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { kind: string });
    const contacts = rows.filter((r) => r.kind === 'call' || r.kind === 'text').length;
    assert.equal(contacts, view.contacts, 'the bundle holds every contact the raid room counts');
    await page.getByText(/Archive .*\.zip téléchargée/).waitFor();
  });

  it('puts a new contact on top of the contacts list without a reload', async () => {
    await page.getByRole('link', { name: 'Appels et SMS', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Appels et SMS reçus' }).waitFor();
    await page.locator('.timeline > li').first().waitFor();
    const before = await page.locator('.timeline > li').count();
    assert.equal((await text('+33755123456', 'Allô ?')).status, 200);
    await page.locator('.timeline > li').first().getByText('Allô ?').waitFor();
    assert.equal(await page.locator('.timeline > li').count(), before + 1);
    const [newest] = (
      (await (await page.request.get(`${server.base}/api/contacts?limit=1`)).json()) as {
        contacts: { nickname: string }[];
      }
    ).contacts;
    await page
      .locator('.timeline > li')
      .first()
      .getByText(newest!.nickname, { exact: false })
      .waitFor();
  });

  it('lists callers one line each, finds one by nickname, and blocks two with the keyboard', async () => {
    await page.getByRole('link', { name: 'Appelants' }).click();
    await page.getByRole('heading', { level: 1, name: 'Appelants' }).waitFor();
    const rows = page.locator('.callers-table tbody tr');
    await rows.first().waitFor();
    const listed = (await (await page.request.get(`${server.base}/api/callers`)).json()) as {
      callers: { callerId: number; nickname: string; contacts: number; blocked: boolean }[];
    };
    assert.equal(await rows.count(), listed.callers.length);
    const loud = listed.callers.find((c) => c.contacts === 6)!;
    await checkPage(page, '22-callers');

    await page.getByLabel('Rechercher').fill(loud.nickname);
    await page.getByRole('button', { name: 'Afficher', exact: true }).click();
    await page.waitForURL(/q=/);
    await rows.filter({ hasText: loud.nickname }).waitFor();
    assert.equal(await rows.count(), 1);

    // Back to everyone: select the first two lines with the keyboard, then block them.
    await page.goto(`${server.base}/callers`);
    await rows.first().waitFor();
    const unblocked = listed.callers.filter((c) => !c.blocked).slice(0, 2);
    await page.getByLabel(new RegExp(`^Sélectionner ${unblocked[0]!.nickname}`)).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await page.getByText('2 sélectionnés').waitFor();
    await page
      .getByRole('group', { name: 'Actions sur la sélection' })
      .getByRole('button', { name: 'Bloquer', exact: true })
      .click();
    await page.getByText(/2 appelants bloqués/).waitFor();
    const after = (await (
      await page.request.get(`${server.base}/api/callers?blocked=yes`)
    ).json()) as {
      callers: { callerId: number }[];
    };
    assert.ok(after.callers.length >= 2);
  });

  it('reads in English on a phone screen, with nothing wider than the screen', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    const small = await phone.newPage();
    await small.addInitScript("localStorage.setItem('nonmerci.language', 'en')");
    await small.goto(`${server.base}/raid`);
    await small.getByRole('heading', { level: 1, name: 'Raid room' }).waitFor();
    await small.getByText('Most insistent numbers').waitFor();
    const rangeWidth = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(rangeWidth <= 390, `no horizontal scroll on a phone (page is ${rangeWidth}px wide)`);
    await checkPage(small, '21-raid-room-phone-en');
    await small.goto(`${server.base}/callers`);
    await small.getByRole('heading', { level: 1, name: 'Callers' }).waitFor();
    await small.locator('.callers-table tbody tr').first().waitFor();
    const width = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no horizontal scroll on a phone (page is ${width}px wide)`);
    await checkPage(small, '23-callers-phone-en');
    await phone.close();
  });
});
