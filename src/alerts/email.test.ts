import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { EmailSink } from './email.ts';
import { formatAlert, type AlertEvent } from './events.ts';

const PASSWORD = 'Tr0ub4dor&3-horse';

interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** Decodes a quoted-printable or base64 body, or returns it as is. */
function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding !== 'quoted-printable') return body;
  const soft = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) in a header value. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

/** Splits a raw message into unfolded headers (lower-case names) and its decoded body. */
function parseMessage(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4).replace(/\r\n$/, '');
  return {
    headers,
    text: decodeBody(body, headers.get('content-transfer-encoding')).replace(/\r\n/g, '\n'),
  };
}

describe('EmailSink', () => {
  const received: Received[] = [];
  let rejectLogin = false;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (rejectLogin || auth.password !== PASSWORD)
        return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  let port = 0;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    rejectLogin = false;
  });

  const event: AlertEvent = {
    kind: 'budget',
    period: 'day',
    periodKey: '2026-11-01',
    threshold: 100,
    spentMicros: 5_000_000,
    capMicros: 5_000_000,
    currency: 'EUR',
    at: Date.UTC(2026, 10, 1, 16, 5),
  };

  it('mails the alert as plain text with its subject to every recipient', async () => {
    const message = formatAlert(event, 'fr', 'Europe/Paris');
    const sink = new EmailSink({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'hotline@example.org',
      to: ['ana@example.org', 'bo@example.org'],
    });
    await sink.deliver({ ...message, event });
    sink.close();

    assert.equal(received.length, 1);
    const [mail] = received;
    assert.equal(mail?.from, 'hotline@example.org');
    assert.deepEqual(mail?.to, ['ana@example.org', 'bo@example.org']);
    const { headers, text } = parseMessage(mail?.raw ?? '');
    assert.equal(decodeHeader(headers.get('subject') ?? ''), message.subject);
    assert.match(headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(text, message.text);
    assert.match(text, /minuit/);
  });

  it('logs in with the credentials of the SMTP URL', async () => {
    const sink = new EmailSink({
      smtpUrl: `smtp://alerts%40example.org:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
      from: 'alerts@example.org',
      to: ['ana@example.org'],
    });
    await sink.deliver({ subject: 'Test', text: 'Hello', event });
    sink.close();
    assert.equal(received[0]?.user, 'alerts@example.org');
  });

  it('rejects a refused login without showing the password', async () => {
    rejectLogin = true;
    const sink = new EmailSink({
      smtpUrl: `smtp://alerts%40example.org:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
      from: 'alerts@example.org',
      to: ['ana@example.org'],
    });
    const error = await sink.deliver({ subject: 'Test', text: 'Hello', event }).then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    );
    sink.close();
    assert.ok(error instanceof Error);
    assert.match(error.message, new RegExp(`through 127\\.0\\.0\\.1:${port} failed`));
    assert.match(error.message, /Invalid username or password/);
    assert.ok(!error.message.includes(PASSWORD), error.message);
    assert.ok(!error.message.includes(encodeURIComponent(PASSWORD)), error.message);
    assert.equal(received.length, 0);
  });

  it('rejects an unreachable server with a clear message', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(resolve));
    const sink = new EmailSink({
      smtpUrl: `smtp://user:${encodeURIComponent(PASSWORD)}@127.0.0.1:${closedPort}`,
      from: 'a@example.org',
      to: ['b@example.org'],
    });
    await assert.rejects(sink.deliver({ subject: 'x', text: 'y', event }), (e: Error) => {
      assert.match(e.message, /E-mail alert through 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
      assert.ok(!e.message.includes(PASSWORD));
      return true;
    });
    sink.close();
  });

  it('refuses settings it cannot use, without echoing the password', () => {
    assert.throws(
      () => new EmailSink({ smtpUrl: `https://u:${PASSWORD}@x`, from: 'a@b.c', to: ['d@e.f'] }),
      (e: Error) => /smtp:\/\//.test(e.message) && !e.message.includes(PASSWORD),
    );
    assert.throws(
      () => new EmailSink({ smtpUrl: 'smtp://127.0.0.1:25', from: 'a@b.c', to: [] }),
      /at least one recipient/,
    );
  });
});
