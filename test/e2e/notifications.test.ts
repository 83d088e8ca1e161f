import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebhookReceiver } from '../support/alerts.ts';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';

/**
 * The alerts page in a real Chromium against `nonmerci serve`: the settings' webhook listed
 * read-only, an ntfy destination on loopback added from the page, a test sent and received.
 */

const ADMIN_PASSWORD = 'une phrase assez longue pour entrer';

describe('alerts page in a real browser', { skip: BROWSER_SKIP, timeout: 120_000 }, () => {
  const chat = new WebhookReceiver();
  const ntfy = new WebhookReceiver();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: E2eServer;

  before(async () => {
    await chat.start();
    await ntfy.start();
    server = await startE2eServer({
      twilio: false,
      env: { ADMIN_PASSWORD, ALERT_WEBHOOK_URL: chat.url('/hooks/secret') },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, server.base, ADMIN_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await chat.stop();
    await ntfy.stop();
  });

  it('lists the settings webhook read-only and sends it a test', async () => {
    await page.getByRole('link', { name: 'Alertes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alertes' }).waitFor();
    const settings = page.getByRole('article', { name: 'ALERT_WEBHOOK_URL' });
    await settings.getByText('Réglée dans .env').waitFor();
    await settings.getByRole('button', { name: 'Envoyer un test' }).click();
    await settings.getByText(/Test envoyé/).waitFor();
    assert.match(chat.requests.at(-1)!.body, /Message de test/);
  });

  it('adds an ntfy destination on this machine, tests it, and says when a test fails', async () => {
    await page.getByLabel('Type').selectOption('ntfy');
    await page.getByLabel('Nom', { exact: true }).fill('ntfy du local');
    await page.getByLabel('Serveur ntfy').fill(ntfy.url(''));
    await page.getByLabel('Sujet (topic)').fill('nonmerci-alertes');
    await page.getByRole('checkbox', { name: 'Le budget atteint un seuil' }).last().uncheck();
    await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
    const card = page.getByRole('article', { name: 'ntfy du local' });
    await card.waitFor();
    assert.equal(
      await card.getByRole('checkbox', { name: 'Le budget atteint un seuil' }).isChecked(),
      false,
    );
    await card.getByRole('button', { name: 'Envoyer un test' }).click();
    await card.getByText(/Test envoyé/).waitFor();
    const published = JSON.parse(ntfy.requests.at(-1)!.body) as { topic: string };
    assert.equal(published.topic, 'nonmerci-alertes');
    await checkPage(page, '24-alerts');

    ntfy.respond = () => ({ status: 403, body: 'forbidden' });
    await card.getByRole('button', { name: 'Envoyer un test' }).click();
    await card
      .getByRole('alert')
      .getByText(/Le test n’est pas passé.*HTTP 403/)
      .waitFor();
  });

  it('reads in English on a phone screen', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    const small = await phone.newPage();
    await small.addInitScript("localStorage.setItem('nonmerci.language', 'en')");
    await small.goto(`${server.base}/notifications`);
    await small.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    await small.getByRole('article', { name: 'ntfy du local' }).waitFor();
    const width = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no horizontal scroll on a phone (page is ${width}px wide)`);
    await checkPage(small, '25-alerts-phone-en');
    await phone.close();
  });
});
