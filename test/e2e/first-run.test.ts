import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { firstRunSetupCode } from '../../src/accounts/accounts.ts';
import { BROWSER_SKIP, checkPage, launchChromium } from '../support/browser.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import { TEST_SECRET } from '../support/hotline.ts';

/**
 * First run in a real Chromium against the real server: the session cookie of an https
 * installation (Secure, __Host-) works when the operator opens the dashboard on the server itself,
 * and creating the first account from another machine takes the setup code the server printed.
 */

const ADMIN = { username: 'camille', password: 'une phrase assez longue' };
const PUBLIC_URL = 'https://hotline.example.org';
const TIMEOUT = 15_000;

describe('first run in a real browser', { skip: BROWSER_SKIP, timeout: 120_000 }, () => {
  let browser: Browser | null = null;
  let server: E2eServer | null = null;
  afterEach(async () => {
    await browser?.close();
    await server?.stop();
    browser = null;
    server = null;
  });

  async function open(env: Record<string, string>, headers: Record<string, string> = {}) {
    server = await startE2eServer({ twilio: false, env: { PUBLIC_URL, ...env } });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'fr-FR', extraHTTPHeaders: headers });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    return { context, page, base: server.base.replace('127.0.0.1', 'localhost') };
  }

  async function createAccount(page: import('playwright-core').Page) {
    await page.getByLabel("Nom d'utilisateur").fill(ADMIN.username);
    await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirmer le mot de passe').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Créer le compte et entrer' }).click();
  }

  it('on the server itself, an https installation signs in with a Secure __Host- cookie over http://localhost', async () => {
    const { context, page, base } = await open({});
    await page.goto(base);
    await page.waitForURL('**/setup');
    assert.equal(await page.getByLabel('Code d’installation').count(), 0, 'no code asked locally');
    await createAccount(page);
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    const session = (await context.cookies()).find((c) => c.name === '__Host-nonmerci_session');
    assert.ok(session, 'the browser kept the __Host- cookie');
    assert.equal(session.secure, true);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    // The cookie is sent back: a reload stays signed in.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
  });

  it('from another machine (through a trusted proxy), asks for the setup code and takes it from the printed link', async () => {
    const { page, base } = await open(
      { TRUST_PROXY: 'loopback' },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    await page.goto(base);
    await page.waitForURL('**/setup');
    const code = page.getByLabel('Code d’installation');
    await code.fill('pas le bon code');
    await createAccount(page);
    await page.getByText('Ce n’est pas le code d’installation').waitFor();
    await checkPage(page, 'first-run-code');

    // The link the server prints carries the code after '#'.
    await page.goto(`${base}/#setup=${firstRunSetupCode(TEST_SECRET)}`);
    await page.waitForURL('**/setup**');
    assert.equal(await code.inputValue(), firstRunSetupCode(TEST_SECRET));
    await createAccount(page);
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    assert.ok(!page.url().includes('setup='), `the code left the address bar: ${page.url()}`);
  });
});
