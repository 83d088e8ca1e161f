import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type {
  ChainStatus,
  EvidenceOverview,
  PrivacyEraseResult,
  SessionInfo,
} from '../../src/web/api/contract.ts';
import { BROWSER_SKIP, checkPage, launchChromium, signInAs } from '../support/browser.ts';
import { FakeTwilio } from '../support/fake-twilio.ts';
import { callParams, LINE, postSigned, smsParams } from '../support/hotline.ts';
import { startE2eServer, type E2eServer } from '../support/e2e-server.ts';
import { waitFor } from '../support/server-process.ts';

/**
 * The Evidence and Personal data pages in a real Chromium, against the real server on SQLite with a
 * Twilio line (webhooks signed by the official package, Messages API faked on loopback). The server
 * runs in Paris time and the browser in New York time: every time typed or shown must be Paris's.
 * Screenshots go to test-results/e2e/ (evidence-*.png); every page is checked with axe.
 */

const PASSWORD = 'une phrase assez longue';
const SERVER_ZONE = 'Europe/Paris';
const RAIDER = '+33639980013';
const ORDINARY = '+33639980014';
const THREAT = '+33639980015';
const TIMEOUT = 15_000;
const HOUR = 3_600_000;

/** An instant as a datetime-local value on the wall clock of `timeZone`: "2026-11-01T16:00". */
function wallClock(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

describe('evidence and personal data pages', { skip: BROWSER_SKIP, timeout: 180_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let fake: FakeTwilio;
  let server: E2eServer;

  before(async () => {
    server = await startE2eServer({
      twilio: true,
      env: { ADMIN_PASSWORD: PASSWORD, TIMEZONE: SERVER_ZONE },
    });
    fake = server.fake!;
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
      timezoneId: 'America/New_York',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const webhook = (path: string, params: Record<string, string>) =>
    postSigned(server.base, path, params, fake.authToken, { publicUrl: server.base });

  /** A JSON GET with the browser's session cookie. */
  const getJson = async <T>(path: string): Promise<T> => {
    const res = await page.request.get(server.base + path);
    assert.equal(res.status(), 200, `${path}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  /** A POST with the browser's session cookie and CSRF token, as the dashboard sends it. */
  const postJson = async (path: string, data: unknown) => {
    const session = await getJson<SessionInfo>('/api/session');
    return page.request.post(server.base + path, {
      data,
      headers: { 'x-csrf-token': session.csrfToken ?? '' },
    });
  };

  const section = (name: string) => page.getByRole('region', { name });

  it('signs in as the administrator while contacts arrive', async () => {
    for (const res of [
      await webhook('/webhooks/twilio/sms', smsParams(RAIDER, 'grosse connasse, réponds')),
      await webhook('/webhooks/twilio/sms', smsParams(RAIDER, 'je sais où tu habites')),
      await webhook('/webhooks/twilio/voice', callParams(ORDINARY)),
      await webhook(
        '/webhooks/twilio/sms',
        smsParams(THREAT, 'je sais où tu habites, je vais te retrouver'),
      ),
    ])
      assert.equal(res.status, 200);

    await signInAs(page, server.base, PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Preuves' }).waitFor();
    await nav.getByRole('link', { name: 'Données personnelles' }).waitFor();
  });

  it('verifies the chain and shows it intact, with its count and head', async () => {
    await page.getByRole('link', { name: 'Preuves' }).click();
    await page.getByRole('heading', { level: 1, name: 'Preuves' }).waitFor();
    await checkPage(page, 'evidence-01-page');
    await page.getByRole('button', { name: "Vérifier l'intégrité" }).click();
    await page.getByTestId('chain-intact').waitFor();
    const shown = Number((await page.getByTestId('chain-count').textContent())?.replace(/\D/g, ''));
    const status = await getJson<ChainStatus>('/api/evidence/verify');
    assert.ok(status.verdict.intact, 'the chain is intact');
    assert.ok(shown >= 3, `at least the three contacts are in the chain (shown ${shown})`);
    assert.equal(shown, status.verdict.count);
    const head = page.getByLabel('Empreinte de la dernière entrée (SHA-256)');
    assert.equal(await head.inputValue(), status.verdict.head);
    await checkPage(page, 'evidence-02-intact');
  });

  it('refuses a period that ends before it starts, next to the field', async () => {
    const form = section('Garder une période comme preuve');
    await form.getByLabel('Début de la période').fill('2026-11-02T10:00');
    await form.getByLabel('Fin de la période').fill('2026-11-01T10:00');
    await form.getByRole('button', { name: 'Garder cette période' }).click();
    const end = form.getByLabel('Fin de la période');
    await form.getByText('La fin de la période doit venir après son début.').waitFor();
    assert.equal(await end.getAttribute('aria-invalid'), 'true');
    // The keyboard is taken to the field to fix (focus moves just after the render).
    const id = await end.getAttribute('id');
    await waitFor(
      'the invalid field to have focus',
      async () =>
        (await page.evaluate<string>('document.activeElement?.id')) === id ? true : undefined,
      { timeoutMs: TIMEOUT },
    );
  });

  let manifest = '';

  it('exports a period after a warning, downloads a ZIP and shows its manifest fingerprint', async () => {
    const now = Date.now();
    const form = section('Exporter un lot de preuves');
    await form.getByLabel('Début de la période').fill(wallClock(now - HOUR, SERVER_ZONE));
    await form.getByLabel('Fin de la période').fill(wallClock(now + HOUR, SERVER_ZONE));
    await form.getByLabel('Ligne').selectOption({ label: LINE });
    await form.getByLabel('Langue du rapport').selectOption('en');
    await form.getByRole('button', { name: 'Exporter le lot de preuves' }).click();

    const dialog = page.getByRole('dialog', { name: 'Exporter des données sensibles\u00a0?' });
    await dialog.getByText('numéros de téléphone complets').waitFor();
    await checkPage(page, 'evidence-03-export-warning');
    const [download, response] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse((r) => r.url().endsWith('/api/evidence/export')),
      dialog.getByRole('button', { name: 'Exporter', exact: true }).click(),
    ]);
    assert.equal(response.status(), 200);
    manifest = response.headers()['x-manifest-sha256'] ?? '';
    assert.match(manifest, /^[0-9a-f]{64}$/);
    assert.match(download.suggestedFilename(), /^nonmerci-evidence-.*\.zip$/);
    const zip = readFileSync(await download.path());
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK', 'the download is a ZIP');
    // The request carried the times as typed, read by the server in Paris time.
    const sent = response.request().postDataJSON() as { from: string; lineId: number };
    assert.equal(sent.from, wallClock(now - HOUR, SERVER_ZONE));
    assert.equal(typeof sent.lineId, 'number');

    const shown = page.getByTestId('manifest-sha256');
    await shown.waitFor();
    assert.equal(await shown.inputValue(), manifest);
    await page.getByText('notée dans le journal des actions').waitFor();
    await page.getByRole('status').filter({ hasText: download.suggestedFilename() }).waitFor();
    await checkPage(page, 'evidence-04-exported');
  });

  it('keeps the exported period as evidence, recorded in the audit log', async () => {
    const holds = section('Périodes gardées comme preuves');
    const row = holds.getByRole('row').filter({ hasText: 'Exportée' });
    await row.waitFor();
    assert.equal(await row.getByText(LINE).count(), 1);
    const overview = await getJson<EvidenceOverview>('/api/evidence');
    assert.equal(overview.holds.length, 1);
    assert.equal(overview.holds[0]?.kind, 'exported');
    const audit = await getJson<{ entries: { action: string; detail: unknown }[] }>('/api/audit');
    const entry = audit.entries.find((e) => e.action === 'evidence.export');
    assert.ok(entry, 'the export is in the audit log');
    assert.match(JSON.stringify(entry.detail), new RegExp(manifest));
  });

  it('flags a period by hand, then releases periods after a confirmation', async () => {
    const now = Date.now();
    const form = section('Garder une période comme preuve');
    await form.getByLabel('Début de la période').fill(wallClock(now - 2 * HOUR, SERVER_ZONE));
    await form.getByLabel('Fin de la période').fill(wallClock(now - HOUR, SERVER_ZONE));
    await form.getByLabel('Note (facultatif)').fill('raid du soir');
    await form.getByRole('button', { name: 'Garder cette période' }).click();
    const holds = section('Périodes gardées comme preuves');
    await holds.getByRole('row').filter({ hasText: 'raid du soir' }).waitFor();
    assert.equal((await getJson<EvidenceOverview>('/api/evidence')).holds.length, 2);

    const exported = holds.getByRole('row').filter({ hasText: 'Exportée' });
    await exported.getByRole('button', { name: /^Libérer/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Libérer cette période\u00a0?' });
    await dialog.getByText('la durée de conservation pourra alors effacer').waitFor();
    await checkPage(page, 'evidence-05-release-warning');
    await dialog.getByRole('button', { name: 'Libérer' }).click();
    await page.getByRole('status').filter({ hasText: 'Période libérée.' }).waitFor();
    await exported.waitFor({ state: 'detached' });
    const left = (await getJson<EvidenceOverview>('/api/evidence')).holds;
    assert.deepEqual(
      left.map((h) => h.kind),
      ['flagged'],
    );
  });

  it('lists the hostile callers kept, each linking to its history, and releases one', async () => {
    const overview = await getJson<EvidenceOverview>('/api/evidence');
    const callers = section('Appelants hostiles gardés');
    // The raider (insults) and the one who threatened: both hostile, both kept.
    assert.equal(overview.keptCallers.length, 2, JSON.stringify(overview.keptCallers));
    const first = overview.keptCallers[0]!;
    const row = callers.getByRole('row').filter({ hasText: first.number });
    await row.getByRole('link', { name: first.number }).waitFor();
    await row.getByRole('button', { name: /^Libérer/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Libérer' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${first.number} libéré.` })
      .waitFor();
    const after = await getJson<EvidenceOverview>('/api/evidence');
    assert.ok(!after.keptCallers.some((c) => c.callerId === first.callerId));
  });

  it('fits a phone screen, in English, without scrolling sideways', async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      storageState: await context.storageState(),
      timezoneId: 'America/New_York',
    });
    const small = await phone.newPage();
    await small.goto(`${server.base}/evidence`);
    await small.getByRole('heading', { level: 1, name: 'Preuves' }).waitFor();
    await small.getByRole('button', { name: 'Menu' }).click();
    await small.getByLabel('Langue', { exact: true }).selectOption('en');
    await small.getByRole('heading', { level: 1, name: 'Evidence' }).waitFor();
    await small.getByRole('button', { name: 'Verify integrity' }).click();
    await small.getByTestId('chain-intact').waitFor();
    const width = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 375, `no horizontal scroll on a phone (page is ${width}px wide)`);
    await checkPage(small, 'evidence-06-phone-en');
    await small.goto(`${server.base}/privacy`);
    await small.getByRole('heading', { level: 1, name: 'Personal data' }).waitFor();
    const privacyWidth = await small.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(privacyWidth <= 375, `no horizontal scroll on a phone (${privacyWidth}px)`);
    await checkPage(small, 'evidence-07-privacy-phone-en');
    await phone.close();
  });

  it('hides both pages from moderators', async () => {
    const res = await postJson('/api/users', {
      username: 'bob',
      password: 'moderator password 1',
      role: 'moderator',
    });
    assert.equal(res.status(), 200, await res.text());
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const mod = await other.newPage();
    await mod.goto(`${server.base}/login`);
    await mod.getByLabel("Nom d'utilisateur").fill('bob');
    await mod.getByLabel('Mot de passe').fill('moderator password 1');
    await mod.getByRole('button', { name: 'Se connecter' }).click();
    await mod.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    const nav = mod.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Règles' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Preuves' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Données personnelles' }).count(), 0);
    for (const path of ['/evidence', '/privacy']) {
      await mod.goto(server.base + path);
      await mod.getByRole('heading', { level: 1, name: "Réservé à l'administration" }).waitFor();
    }
    assert.equal((await mod.request.get(`${server.base}/api/evidence`)).status(), 403);
    await other.close();
  });

  describe('personal data', () => {
    it('refuses a number that is not one, next to the field', async () => {
      await page.getByRole('link', { name: 'Données personnelles' }).click();
      await page.getByRole('heading', { level: 1, name: 'Données personnelles' }).waitFor();
      await checkPage(page, 'evidence-08-privacy');
      const field = page.getByLabel('Numéro de la personne');
      await field.fill('pas un numéro');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/privacy/export')),
        page.getByRole('button', { name: 'Exporter ses données' }).click(),
      ]);
      assert.equal(response.status(), 400);
      const { message } = (await response.json()) as { message: string };
      await page.getByText(message).waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      await checkPage(page, 'evidence-08b-privacy-refused');
    });

    it("exports a person's data as a JSON file holding their number", async () => {
      await page.getByLabel('Numéro de la personne').fill('06 39 98 00 14');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Exporter ses données' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.json$/);
      const text = readFileSync(await download.path(), 'utf8');
      JSON.parse(text);
      assert.ok(text.includes(ORDINARY), 'the file holds the full number');
      await page.getByRole('status').filter({ hasText: download.suggestedFilename() }).waitFor();
    });

    it("erases a person's data after a warning about the evidence exception", async () => {
      await page.getByLabel('Numéro de la personne').fill('06 39 98 00 14');
      await page.getByRole('button', { name: 'Effacer ses données' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('article 17, paragraphe 3, point e').waitFor();
      await checkPage(page, 'evidence-09-erase-warning');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/privacy/erase')),
        dialog.getByRole('button', { name: 'Effacer', exact: true }).click(),
      ]);
      assert.equal(response.status(), 200);
      const result = (await response.json()) as PrivacyEraseResult;
      const shown = page.getByTestId('erase-result');
      await shown.waitFor();
      await page.getByRole('heading', { name: new RegExp(escapeRegExp(result.number)) }).waitFor();
      if (result.found) {
        const contacts = result.erased.contacts;
        await shown
          .getByText(contacts === 1 ? '1 appel ou SMS' : `${contacts} appels et SMS`)
          .first()
          .waitFor();
      }
      await checkPage(page, 'evidence-10-erased');
    });

    it("keeps a hostile caller's records when erasing them, and says why", async () => {
      // One of the two hostile callers was released above; the other one is still kept.
      const kept = (await getJson<EvidenceOverview>('/api/evidence')).keptCallers;
      const hostile = [RAIDER, THREAT].find((n) =>
        kept.some((c) => c.number.startsWith(n.slice(0, 5)) && c.number.endsWith(n.slice(-2))),
      );
      assert.ok(hostile, `a hostile caller is still kept: ${JSON.stringify(kept)}`);
      await page.getByLabel('Numéro de la personne').fill(hostile);
      await page.getByRole('button', { name: 'Effacer ses données' }).click();
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/privacy/erase')),
        page.getByRole('dialog').getByRole('button', { name: 'Effacer', exact: true }).click(),
      ]);
      const result = (await response.json()) as PrivacyEraseResult;
      assert.ok(result.kept.contacts > 0, `records kept: ${JSON.stringify(result)}`);
      assert.ok(result.keptBecause.length > 0);
      const shown = page.getByTestId('erase-result');
      await shown.getByText('Pourquoi certains enregistrements sont gardés').waitFor();
      for (const why of result.keptBecause) await shown.getByText(why).waitFor();
      await checkPage(page, 'evidence-11-erase-kept');
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
