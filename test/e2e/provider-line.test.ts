import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import {
  FakeTelnyxAccount,
  TELNYX_KEY,
  TELNYX_PUBLIC_KEY,
} from '../support/fake-telnyx-account.ts';
import { problems, READABLE } from '../support/language.ts';

/**
 * A Telnyx line on the Lines page, in a real Chromium against `nonmerci serve` whose Telnyx API is
 * a fake on loopback: the page names the provider, lists its two addresses under their names in
 * the Telnyx portal, and its check button asks Telnyx and says, in the reader's language, what is
 * wrong and then that all is well once the addresses are set.
 */

const ADMIN_PASSWORD = 'une phrase assez longue pour entrer';
const NUMBER = '+33939000000';

describe('a Telnyx line in a real browser', { skip: BROWSER_SKIP, timeout: 120_000 }, () => {
  const telnyx = new FakeTelnyxAccount();
  let browser: Browser;
  let page: Page;
  let server: E2eServer;

  before(async () => {
    await telnyx.start();
    telnyx.seed();
    server = await startE2eServer({
      twilio: false,
      env: {
        ADMIN_PASSWORD,
        TELNYX_API_KEY: TELNYX_KEY,
        TELNYX_PUBLIC_KEY,
        TELNYX_API_URL: telnyx.url,
        HOTLINE_NUMBER: NUMBER,
      },
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, server.base, ADMIN_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await telnyx.stop();
  });

  const readable = async (lang: 'fr' | 'en') =>
    problems(await page.evaluate<string>(READABLE), lang);

  it('shows the addresses to give Telnyx, and the check says what is wrong, then that all is well', async () => {
    await page.getByRole('link', { name: 'Lignes' }).click();
    await page.getByRole('heading', { name: 'Adresses à donner à Telnyx' }).waitFor();
    const calls = page.getByLabel('Appels (Voice URL)');
    assert.equal(await calls.inputValue(), `${server.base}/webhooks/telnyx/voice`);
    const texts = page.getByLabel('SMS et suivi des envois (Webhook URL)');
    assert.equal(await texts.inputValue(), `${server.base}/webhooks/telnyx/messaging`);

    await page.getByRole('button', { name: 'Vérifier auprès de Telnyx' }).click();
    await page.getByText('Quelque chose est à corriger chez Telnyx').waitFor();
    await page.getByText('Telnyx accepte les identifiants.').waitFor();
    await page
      .getByText("Certaines adresses ne sont pas encore en place chez l'opérateur")
      .waitFor();
    await page
      .getByText(
        "Appels : réglé sur https://example.com/texml au lieu de l'adresse ci-dessus (en GET, alors que POST est nécessaire)",
      )
      .waitFor();
    await page
      .getByText("SMS et suivi des envois : réglé sur rien au lieu de l'adresse ci-dessus")
      .waitFor();
    assert.ok(
      telnyx.requests.every((r) => r.method === 'GET'),
      'a check changes nothing at the provider',
    );
    assert.deepEqual(await readable('fr'), []);
    await checkPage(page, '30-telnyx-line');

    // The operator pastes the addresses in the portal; the check now agrees.
    telnyx.apps[0]!.voiceUrl = `${server.base}/webhooks/telnyx/voice`;
    telnyx.apps[0]!.voiceMethod = 'post';
    telnyx.profiles[0]!.webhookUrl = `${server.base}/webhooks/telnyx/messaging`;
    await page.getByRole('button', { name: 'Vérifier auprès de Telnyx' }).click();
    await page.getByText('Telnyx confirme que tout est en place pour cette ligne.').waitFor();
    await page.getByText('Les appels et SMS vers ce numéro arrivent sur ce serveur.').waitFor();
  });

  it('says the same in English', async () => {
    await page.evaluate(`localStorage.setItem('nonmerci.language', 'en')`);
    await page.reload();
    await page.getByRole('heading', { name: 'Addresses to give Telnyx' }).waitFor();
    await page.getByLabel('Texts and delivery reports (Webhook URL)').waitFor();
    await page.getByRole('button', { name: 'Check with Telnyx' }).click();
    await page.getByText('Telnyx says everything is in place for this line.').waitFor();
    assert.deepEqual(await readable('en'), []);
  });
});
