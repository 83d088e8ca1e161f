import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EmailSink } from './email.ts';
import { createSinks } from './from-config.ts';
import { WebhookSink } from './webhook.ts';

const none = { webhookUrl: null, smtpUrl: null, emailFrom: null, emailTo: [] };

describe('createSinks', () => {
  it('makes no sink when nothing is set', () => {
    assert.deepEqual(createSinks(none), []);
  });

  it('makes a webhook sink and an e-mail sink, with distinct names', () => {
    const sinks = createSinks({
      webhookUrl: 'https://hooks.slack.com/services/T/B/X',
      smtpUrl: 'smtp://alerts%40example.org:pw@smtp.example.org:587',
      emailFrom: null,
      emailTo: ['ana@example.org', ' bo@example.org '],
    });
    assert.equal(sinks.length, 2);
    assert.ok(sinks[0] instanceof WebhookSink);
    assert.ok(sinks[1] instanceof EmailSink);
    assert.deepEqual(
      sinks.map((s) => s.name),
      ['webhook', 'email'],
    );
    for (const s of sinks) if (s instanceof EmailSink) s.close();
  });

  it('says what is missing when e-mail is half configured', () => {
    assert.throws(
      () => createSinks({ ...none, smtpUrl: 'smtp://smtp.example.org' }),
      /ALERT_EMAIL_TO is empty/,
    );
    assert.throws(
      () => createSinks({ ...none, smtpUrl: 'smtp://smtp.example.org', emailTo: ['a@b.org'] }),
      /ALERT_EMAIL_FROM is needed/,
    );
    assert.throws(() => createSinks({ ...none, emailTo: ['a@b.org'] }), /SMTP_URL is not/);
    assert.throws(
      () =>
        createSinks({
          ...none,
          smtpUrl: 'smtp://smtp.example.org',
          emailFrom: 'x@y.org',
          emailTo: ['not an address'],
        }),
      /"not an address" is not an e-mail address/,
    );
  });
});
