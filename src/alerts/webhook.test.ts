import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AlertEvent } from './events.ts';
import { WebhookReceiver } from '../../test/support/alerts.ts';
import { DISCORD_CONTENT_MAX, WebhookSink, neutraliseMentions, truncateUtf16 } from './webhook.ts';

/** Stands for the secret part of a Slack or Discord webhook URL. */
const SECRET_PATH = '/services/T0001/B0002/XXsecretXXtokenXX';

const event: AlertEvent = {
  kind: 'provider_error',
  provider: 'twilio',
  at: Date.UTC(2026, 10, 1, 16, 5),
  detail: 'authenticate failed',
};
const alert = {
  subject: '[nonmerci] Error from telecom provider twilio',
  text: 'Body text.',
  event,
};

describe('WebhookSink', () => {
  const receiver = new WebhookReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 204 });
  });

  it('posts JSON that Slack and Mattermost (text) and Discord (content) all read', async () => {
    const sink = new WebhookSink(receiver.url(SECRET_PATH));
    await sink.deliver(alert);
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, SECRET_PATH);
    assert.match(request?.contentType ?? '', /^application\/json/);
    const body = JSON.parse(request?.body ?? '') as Record<string, unknown>;
    assert.equal(body.text, `${alert.subject}\n\nBody text.`);
    assert.equal(body.content, body.text);
    assert.equal(body.username, 'nonmerci');
    assert.deepEqual(body.allowed_mentions, { parse: [] });
    assert.deepEqual(body.event, event);
  });

  it('keeps Discord content within 2000 characters and the full text for the others', async () => {
    const long = { ...alert, text: '€'.repeat(3000) };
    await new WebhookSink(receiver.url(SECRET_PATH)).deliver(long);
    const body = JSON.parse(receiver.requests[0]?.body ?? '') as { text: string; content: string };
    assert.ok(body.content.length <= DISCORD_CONTENT_MAX);
    assert.ok(body.content.endsWith('…'));
    assert.ok(body.text.length > 3000);
  });

  it('accepts any 2xx answer (Slack answers 200 "ok", Discord 204)', async () => {
    receiver.respond = () => ({ status: 200, body: 'ok' });
    await new WebhookSink(receiver.url(SECRET_PATH)).deliver(alert);
    assert.equal(receiver.requests.length, 1);
  });

  for (const status of [500, 404]) {
    it(`rejects on HTTP ${status}, naming the host and status but not the secret path`, async () => {
      receiver.respond = () => ({
        status,
        body: `no_service for ${SECRET_PATH}\n(more)`,
      });
      const sink = new WebhookSink(receiver.url(SECRET_PATH));
      const error = await sink.deliver(alert).then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
      assert.ok(error.message.includes(receiver.host), error.message);
      assert.match(error.message, /no_service/, 'an excerpt of the answer');
      assert.ok(!error.message.includes('XXsecretXXtokenXX'), error.message);
      assert.ok(!error.message.includes('/services/'), error.message);
    });
  }

  it('says the webhook may be gone on 404', async () => {
    receiver.respond = () => ({ status: 404, body: 'Unknown Webhook' });
    await assert.rejects(new WebhookSink(receiver.url(SECRET_PATH)).deliver(alert), (e: Error) =>
      e.message.includes('ALERT_WEBHOOK_URL'),
    );
  });

  it('gives up on a server that never answers, with a timeout error', async () => {
    receiver.respond = () => null;
    const sink = new WebhookSink(receiver.url(SECRET_PATH), { timeoutMs: 200 });
    await assert.rejects(sink.deliver(alert), (e: Error) => {
      assert.match(e.message, /did not answer within 0\.2 s/);
      assert.ok(!e.message.includes('XXsecretXX'));
      return true;
    });
    assert.equal(receiver.requests.length, 1, 'the request did reach the server');
  });

  it('reports a refused connection without the secret path', async () => {
    const closed = new WebhookReceiver();
    await closed.start();
    const url = closed.url(SECRET_PATH);
    await closed.stop();
    await assert.rejects(new WebhookSink(url).deliver(alert), (e: Error) => {
      assert.match(e.message, /could not be reached/);
      assert.ok(!e.message.includes('XXsecretXX'), e.message);
      return true;
    });
  });

  it('refuses an address that is not an http(s) URL, without echoing it', () => {
    assert.throws(
      () => new WebhookSink('hooks.slack.com/services/XXsecretXX'),
      (e: Error) => {
        assert.match(e.message, /not a URL/);
        assert.ok(!e.message.includes('XXsecretXX'));
        return true;
      },
    );
    assert.throws(() => new WebhookSink('ftp://example.org/x'), /https:\/\//);
  });
});

describe('neutraliseMentions and truncateUtf16', () => {
  it('breaks channel-wide mentions from outside text', () => {
    const out = neutraliseMentions(
      'hi @channel @here @everyone @all <!channel> <@U123> bob@example.org',
    );
    assert.doesNotMatch(out, /@(channel|here|everyone|all)\b/);
    assert.doesNotMatch(out, /<[!@]/);
    assert.match(out, /bob@example\.org/);
  });

  it('never splits a surrogate pair', () => {
    const s = `${'a'.repeat(8)}😀😀`;
    for (let max = 2; max <= s.length; max++) {
      const t = truncateUtf16(s, max);
      assert.ok(t.length <= max, `${max}`);
      assert.ok(t.isWellFormed(), `${max}`);
    }
  });
});
