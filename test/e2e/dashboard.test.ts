import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { callParams, LINE, postSigned, smsParams } from '../support/hotline.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * The dashboard in a real Chromium, against the real server (`nonmerci serve`) on SQLite, with a
 * Twilio line whose webhooks are signed by the official twilio package and whose Messages API is a
 * fake on loopback. Each page is screenshotted into test-results/e2e/ and checked with axe.
 */

const ADMIN = { username: 'camille', password: 'une phrase assez longue' };
const INSULT = 'grosse connasse, réponds';
const RAIDER = '+33639980013';
const TIMEOUT = 15_000;

/** Waits until a locator's text satisfies a test (the live overview changes without a reload). */
async function textBecomes(page: Page, testId: string, ok: (text: string) => boolean) {
  const locator = page.getByTestId(testId).first();
  return waitFor(
    `${testId} to change`,
    async () => {
      const text = (await locator.textContent()) ?? '';
      return ok(text.trim()) ? text.trim() : undefined;
    },
    { timeoutMs: TIMEOUT, intervalMs: 100 },
  );
}

describe('dashboard in a real browser', { skip: BROWSER_SKIP, timeout: 180_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let fake: FakeTwilio;
  let server: E2eServer;

  before(async () => {
    server = await startE2eServer({ twilio: true });
    fake = server.fake!;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A webhook as Twilio sends it, signed against the server's public address. */
  const webhook = (path: string, params: Record<string, string>) =>
    postSigned(server.base, path, params, fake.authToken, { publicUrl: server.base });

  it('asks for the first administrator on the first visit, then signs in', async () => {
    await page.goto(server.base);
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { level: 1, name: 'Bienvenue sur nonmerci' }).waitFor();
    await checkPage(page, '01-setup');
    await page.getByLabel("Nom d'utilisateur").fill(ADMIN.username);
    await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirmer le mot de passe').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Créer le compte et entrer' }).click();
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'nonmerci_session');
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
  });

  it('signs out, refuses a wrong password, and signs in again', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL('**/login**');
    await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
    await page.getByLabel("Nom d'utilisateur").fill(ADMIN.username);
    await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    await checkPage(page, '02-login-refused');
    await page.getByLabel('Mot de passe').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
  });

  it('moves the live counter when a signed webhook arrives, without a reload', async () => {
    await textBecomes(page, 'contacts-today', (t) => t === '0');
    const res = await webhook('/webhooks/twilio/sms', smsParams(RAIDER, INSULT));
    assert.equal(res.status, 200);
    assert.equal(await textBecomes(page, 'contacts-today', (t) => t === '1'), '1');
    const call = await webhook('/webhooks/twilio/voice', callParams('+33639980014'));
    assert.equal(call.status, 200);
    assert.equal(await textBecomes(page, 'contacts-today', (t) => t === '2'), '2');
    await checkPage(page, '03-overview');
  });

  it('pauses then resumes the line, each after a confirmation', async () => {
    const card = page.getByRole('article').filter({ hasText: LINE });
    await card.getByRole('button', { name: 'Mettre en pause' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await checkPage(page, '04-pause-dialog');
    await dialog.getByRole('button', { name: 'Mettre en pause' }).click();
    await card.getByText('En pause', { exact: true }).waitFor();
    const paused = (await (await page.request.get(`${server.base}/api/overview`)).json()) as {
      lines: { number: string; paused: boolean }[];
    };
    assert.equal(paused.lines.find((l) => l.number === LINE)?.paused, true);

    await card.getByRole('button', { name: 'Reprendre' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reprendre' }).click();
    await card.getByText('Active', { exact: true }).waitFor();
    const resumed = (await (await page.request.get(`${server.base}/api/overview`)).json()) as {
      lines: { number: string; paused: boolean }[];
    };
    assert.equal(resumed.lines.find((l) => l.number === LINE)?.paused, false);
  });

  it('switches the shield on from the overview and says why, then gives it back', async () => {
    const card = page.getByRole('article').filter({ hasText: LINE });
    const setMode = async (mode: string) => {
      await card.getByRole('button', { name: mode, exact: true }).click();
      await page
        .getByRole('dialog')
        .getByRole('button', { name: `Passer sur « ${mode} »` })
        .click();
    };
    await setMode('Toujours actif');
    await card.getByText('Pourquoi', { exact: true }).waitFor();
    await card.getByText("Une opératrice l'a activé.").waitFor();
    await page.getByText('Raid en cours :').waitFor();
    await checkPage(page, '04b-shield-on');
    await setMode('Désactivé');
    await card.getByText('En veille', { exact: true }).waitFor();
    assert.equal(await card.getByText('Pourquoi', { exact: true }).count(), 0);
    await setMode('Automatique');
    await card.getByText('(Automatique)').waitFor();
  });

  it('counts characters, encoding and segments live while the SMS text is edited', async () => {
    await page.getByRole('link', { name: 'Lignes' }).click();
    const sms = page.getByLabel('Texte du SMS').first();
    await sms.waitFor();
    await sms.fill('Non, c’est non.');
    assert.equal(await textBecomes(page, 'sms-encoding', (t) => t === 'UCS-2'), 'UCS-2');
    assert.equal(await textBecomes(page, 'sms-segments', (t) => t === '1'), '1');
    await page.getByText('’', { exact: true }).first().waitFor(); // highlighted in a <mark>
    await sms.fill("Non, c'est non. ".repeat(12));
    assert.equal(await textBecomes(page, 'sms-encoding', (t) => t === 'GSM-7'), 'GSM-7');
    assert.equal(await textBecomes(page, 'sms-segments', (t) => t === '2'), '2');
    await sms.fill("Non, c'est non. Respecter un refus, c'est la base.");
    assert.equal(await textBecomes(page, 'sms-segments', (t) => t === '1'), '1');
    await page.getByRole('button', { name: 'Enregistrer la ligne' }).first().click();
    await page.getByRole('status').filter({ hasText: 'enregistrée' }).first().waitFor();
    const lines = (await (await page.request.get(`${server.base}/api/lines`)).json()) as {
      replyText: string;
    }[];
    assert.equal(lines[0]?.replyText, "Non, c'est non. Respecter un refus, c'est la base.");
    await checkPage(page, '05-lines');
  });

  it('blurs the abusive text until it is revealed on purpose', async () => {
    await page.getByRole('link', { name: 'Appels et SMS' }).click();
    const reveal = page.getByRole('button', { name: /^Afficher le texte/ }).first();
    await reveal.waitFor();
    assert.equal(await page.getByText(INSULT).count(), 0, 'the insult is not on the page');
    await checkPage(page, '06-contacts-blurred');
    await reveal.click();
    const revealed = page.getByTestId('revealed-text').first();
    await revealed.waitFor();
    assert.equal((await revealed.textContent())?.trim(), INSULT);
    await checkPage(page, '07-contacts-revealed');
    // Two contacts, one from each number: the search keeps the caller it names.
    const items = page.getByRole('list', { name: 'Appels et SMS' }).getByRole('listitem');
    assert.equal(await items.count(), 2);
    await page.getByLabel('Rechercher').fill('80014');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/\?q=80014/);
    await items.nth(1).waitFor({ state: 'detached' });
    assert.match((await items.first().textContent()) ?? '', /\+3363\*\*\*\*14/);
    await page.getByLabel('Rechercher').fill('connasse');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/\?q=connasse/);
    await page.getByText('+3363****13').first().waitFor();
    assert.equal(await items.count(), 1);
    await checkPage(page, '07b-contacts-searched');
  });

  it('blocks a number from the rules page, and the line then refuses its calls', async () => {
    await page.getByRole('link', { name: 'Règles' }).click();
    await page.getByLabel('Numéro à bloquer').fill('06 39 98 00 13');
    await page.getByRole('button', { name: 'Bloquer', exact: true }).click();
    await page.getByText('+3363****13').first().waitFor();
    await checkPage(page, '08-rules');
    const res = await webhook('/webhooks/twilio/voice', callParams(RAIDER));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Reject/);
  });

  it('shows the caller history with the block and the decisions', async () => {
    await page.getByRole('link', { name: 'Appels et SMS' }).click();
    await page.getByRole('link', { name: '+3363****13' }).first().click();
    await page.getByRole('heading', { level: 1, name: /Appelant/ }).waitFor();
    await page.getByRole('button', { name: 'Débloquer ce numéro' }).waitFor();
    await checkPage(page, '09-caller');
  });

  for (const [name, path, heading] of [
    ['10-budget', '/budget', 'Budget'],
    ['11-audit', '/audit', 'Journal des actions'],
    ['12-users', '/users', 'Comptes'],
    ['13-account', '/account', 'Mon compte'],
  ] as const)
    it(`renders ${path} accessibly`, async () => {
      await page.goto(server.base + path);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await checkPage(page, name);
    });

  it('records every action in the audit log, with its author', async () => {
    await page.goto(`${server.base}/audit`);
    for (const words of [/pause/i, /bloqu/i])
      await page.getByRole('cell', { name: words }).first().waitFor();
    assert.ok((await page.getByRole('cell', { name: ADMIN.username }).count()) >= 3);
  });

  it('works in English and on a phone screen', async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      storageState: await context.storageState(),
    });
    const small = await phone.newPage();
    await small.goto(server.base);
    const menu = small.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await small.getByLabel('Langue').selectOption('en');
    await small.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // A string: the test code is type-checked without the browser's DOM types.
    const width = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 375, `no horizontal scroll on a phone (page is ${width}px wide)`);
    await checkPage(small, '14-overview-phone-en');
    await phone.close();
  });
});

describe('simulator page in demo mode', { skip: BROWSER_SKIP, timeout: 120_000 }, () => {
  let browser: Browser;
  let page: Page;
  let server: E2eServer;

  before(async () => {
    server = await startE2eServer({
      twilio: false,
      env: { ADMIN_PASSWORD: ADMIN.password, REPLY_DELAY: '1s', WORKER_POLL: '100ms' },
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
    });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('calls and texts the demo line from the pretend phone and shows the SMS arriving', async () => {
    await signInAs(page, server.base, ADMIN.password);
    await page.getByRole('link', { name: 'Simulateur' }).click();
    await page.getByRole('heading', { level: 1, name: 'Simulateur' }).waitFor();
    await page.getByRole('button', { name: 'Appeler' }).click();
    await page.getByText("L'appelant entend").waitFor();
    // The demo line answers after 1 s; the inbox polls every 2 s.
    await page
      .locator('.bubble')
      .filter({ hasText: 'Un non est un non' })
      .first()
      .waitFor({ timeout: 20_000 });
    await checkPage(page, '15-simulator');
  });
});
