import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type {
  DestinationRow,
  DestinationTestResult,
  Notifications,
} from '../../src/web/api/contract.ts';
import { WebhookReceiver } from '../support/alerts.ts';
import { DIALECTS } from '../support/databases.ts';
import {
  addModerator,
  api,
  ok,
  restartDashboard,
  setUp,
  startDashboard,
  type Api,
  type Dashboard,
  type SignedIn,
} from '../support/dashboard.ts';

/** The secret part of a chat webhook's address: it must never come back from the API. */
const SECRET_PATH = '/hooks/T000/B000/s3cr3t-path';

for (const dialect of DIALECTS) {
  describe(`notifications page API [${dialect.name}]`, { skip: dialect.skip }, () => {
    const chat = new WebhookReceiver();
    const ntfy = new WebhookReceiver();
    let d: Dashboard;
    let admin: SignedIn;
    let a: Api;
    before(async () => {
      await chat.start();
      await ntfy.start();
    });
    after(async () => {
      await chat.stop();
      await ntfy.stop();
    });
    beforeEach(async () => {
      chat.requests.length = 0;
      ntfy.requests.length = 0;
      chat.respond = () => ({ status: 204 });
      d = await startDashboard(dialect.name, {
        alerts: {
          webhookUrl: chat.url('/from-settings'),
          smtpUrl: null,
          emailFrom: null,
          emailTo: [],
        },
      });
      admin = await setUp(d.app);
      a = api(d.app, admin);
    });
    afterEach(() => d?.close());

    const list = async () => ok<Notifications>(await a.get('/api/notifications'));
    const addChat = (events: string[]) =>
      a.post('/api/notifications', {
        kind: 'webhook',
        label: 'Mattermost du collectif',
        url: chat.url(SECRET_PATH),
        events,
      });
    const threat = (callerId: number) =>
      d.hotline.alerts.raise({
        kind: 'threat',
        line: d.hotline.defaultLine.number,
        at: d.hotline.clock.now(),
        contactId: callerId,
        callerId,
        raid: false,
      });

    it('adds a chat webhook on loopback, lists it without its secret path, and keeps it after a restart', async () => {
      const row = ok<DestinationRow>(await addChat(['threat']));
      assert.deepEqual(
        [row.kind, row.label, row.target, row.events, row.readOnly],
        ['webhook', 'Mattermost du collectif', chat.host, ['threat'], false],
      );
      const listed = await list();
      assert.deepEqual(
        listed.destinations.map((x) => [x.id, x.readOnly]),
        [
          ['settings-webhook', true],
          [row.id, false],
        ],
      );
      const raw = (await a.get('/api/notifications')).body;
      assert.ok(!raw.includes('s3cr3t'), 'the webhook path never leaves the server');
      const stored = await d.hotline.storage.db
        .selectFrom('nonmerci_settings')
        .selectAll()
        .execute();
      assert.ok(!JSON.stringify(stored).includes('s3cr3t'), 'the address is stored sealed');
      d = await restartDashboard(d);
      a = api(d.app, admin);
      assert.deepEqual((await list()).destinations.at(-1), row);
    });

    it('sends each destination only the events it asked for, and shows the history', async () => {
      const row = ok<DestinationRow>(await addChat(['threat']));
      await threat(1);
      await d.hotline.alerts.raise({
        kind: 'provider_error',
        provider: 'twilio',
        at: d.hotline.clock.now(),
        detail: 'HTTP 500',
      });
      await d.hotline.alerts.deliverPending();
      const toDestination = chat.requests.filter((r) => r.path === SECRET_PATH);
      const toSettings = chat.requests.filter((r) => r.path === '/from-settings');
      assert.equal(toDestination.length, 1, 'the threat only');
      assert.match(toDestination[0]!.body, /Menace reçue/);
      assert.equal(toSettings.length, 2, 'the settings destination takes everything');
      const history = (await list()).history;
      assert.deepEqual(history.map((h) => [h.kind, h.status]).sort(), [
        ['provider_error', 'delivered'],
        ['threat', 'delivered'],
      ]);
      const threatRow = history.find((h) => h.kind === 'threat')!;
      assert.deepEqual([...threatRow.deliveredTo].sort(), [row.id, 'webhook'].sort());
      assert.match(threatRow.subject, /Menace/);
      const english = ok<Notifications>(
        await a.raw({
          method: 'GET',
          url: '/api/notifications',
          headers: { 'accept-language': 'en-GB,en;q=0.8' },
        }),
      );
      assert.match(english.history.find((h) => h.kind === 'threat')!.subject, /Threat/);
    });

    it('sends a test at once, and says what went wrong when the destination refuses it', async () => {
      const row = ok<DestinationRow>(await addChat(['threat']));
      const sent = ok<DestinationTestResult>(await a.post(`/api/notifications/${row.id}/test`, {}));
      assert.deepEqual(sent, { delivered: true, error: null });
      assert.match(chat.requests.at(-1)!.body, /Message de test/);
      ok(await a.post('/api/notifications/settings-webhook/test', {}));
      assert.equal(chat.requests.at(-1)!.path, '/from-settings');

      chat.respond = () => ({ status: 500, body: 'boom' });
      const failed = ok<DestinationTestResult>(
        await a.post(`/api/notifications/${row.id}/test`, {}),
      );
      assert.equal(failed.delivered, false);
      assert.match(failed.error ?? '', /HTTP 500/);
      assert.ok(!(failed.error ?? '').includes('s3cr3t'));
      await threat(2);
      await d.hotline.alerts.deliverPending();
      const pending = (await list()).history[0]!;
      assert.equal(pending.status, 'pending');
      assert.match(pending.lastError ?? '', /HTTP 500/);
    });

    it("publishes to an ntfy topic as JSON, with a title in the reader's language", async () => {
      const row = ok<DestinationRow>(
        await a.post('/api/notifications', {
          kind: 'ntfy',
          label: 'ntfy du local',
          server: ntfy.url(''),
          topic: 'nonmerci-alertes',
          token: 'tk_secret',
          events: ['threat', 'shield_on'],
        }),
      );
      assert.equal(row.target, `${ntfy.host} / nonm…`);
      ok(
        await a.raw({
          method: 'POST',
          url: `/api/notifications/${row.id}/test`,
          payload: {},
          headers: { 'accept-language': 'en' },
        }),
      );
      const published = JSON.parse(ntfy.requests.at(-1)!.body) as Record<string, unknown>;
      assert.deepEqual(
        [published.topic, published.title],
        ['nonmerci-alertes', '[nonmerci] Test message'],
      );
    });

    it('changes the events and name, removes, and refuses what cannot work (400) or a moderator (403)', async () => {
      const row = ok<DestinationRow>(await addChat(['threat']));
      const changed = ok<DestinationRow>(
        await a.patch(`/api/notifications/${row.id}`, {
          label: 'Discord',
          events: ['budget', 'threat'],
        }),
      );
      assert.deepEqual([changed.label, changed.events], ['Discord', ['budget', 'threat']]);
      for (const bad of [
        { kind: 'webhook', label: 'x', url: 'ftp://example.org/h', events: ['threat'] },
        { kind: 'webhook', label: 'x', url: chat.url('/h'), events: ['everything'] },
        { kind: 'webhook', label: '', url: chat.url('/h'), events: ['threat'] },
        {
          kind: 'ntfy',
          label: 'x',
          server: ntfy.url(''),
          topic: 'a topic/with spaces',
          events: [],
        },
        {
          kind: 'email',
          label: 'x',
          smtpUrl: 'smtp://mail.example.org',
          from: 'a@b.c',
          to: [],
          events: [],
        },
        { kind: 'pigeon', label: 'x', events: [] },
      ])
        assert.equal(
          (await a.post('/api/notifications', bad)).statusCode,
          400,
          JSON.stringify(bad),
        );
      assert.equal(
        (await a.patch('/api/notifications/settings-webhook', { label: 'x' })).statusCode,
        404,
      );
      const moderator = api(d.app, (await addModerator(d.app, admin)).session);
      assert.equal((await moderator.get('/api/notifications')).statusCode, 403);
      assert.equal((await a.delete(`/api/notifications/${row.id}`)).statusCode, 204);
      assert.equal((await list()).destinations.length, 1);
      assert.equal((await a.delete(`/api/notifications/${row.id}`)).statusCode, 404);
    });
  });
}
