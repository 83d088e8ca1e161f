import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ManualClock } from '../src/domain/clock.ts';
import { assemble, type Hotline } from '../src/main.ts';
import { createTestDatabase, type TestDatabase } from './support/databases.ts';
import { FakeTwilio } from './support/fake-twilio.ts';
import { TEST_SECRET, callParams, postSigned, smsParams, testConfig } from './support/hotline.ts';

const CALLER = '+33612345601';

describe('logs', () => {
  const twilioApi = new FakeTwilio();
  const lines: string[] = [];
  let db: TestDatabase;
  let hotline: Hotline;
  let base: string;
  const clock = new ManualClock();

  before(async () => {
    await twilioApi.start();
    db = await createTestDatabase('sqlite');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const config = testConfig(db.target, {
      twilio: twilioApi.settings,
      logLevel: 'trace',
    });
    hotline = await assemble(config, {
      clock,
      log: pino({ level: 'trace' }, sink),
      lines: 'ensure',
    });
    base = await hotline.app().listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await hotline.close();
    await db.drop();
    await twilioApi.stop();
  });

  it('mask caller numbers and never contain secrets, signatures or message bodies', async () => {
    await postSigned(base, '/webhooks/twilio/voice', callParams(CALLER), twilioApi.authToken);
    await postSigned(
      base,
      '/webhooks/twilio/sms',
      smsParams(CALLER, 'message privé 123'),
      twilioApi.authToken,
    );
    await postSigned(base, '/webhooks/twilio/voice', callParams(CALLER), 'wrong-token');
    twilioApi.failure = (_to, attempt) =>
      attempt === 1 ? { status: 500, code: 20500, message: 'boom' } : null;
    clock.advance(3_600_000);
    await hotline.worker.drain();
    clock.advance(60_000);
    await hotline.worker.drain();
    assert.equal(twilioApi.sentTo(CALLER).length, 1);

    const text = lines.join('\n');
    assert.ok(lines.length >= 5, 'the run produced logs');
    assert.match(text, /\+3361\*\*\*\*01/, 'numbers appear masked');
    for (const secret of [
      CALLER,
      CALLER.slice(3),
      twilioApi.authToken,
      TEST_SECRET,
      'message privé',
    ]) {
      assert.equal(text.includes(secret), false, `logs contain ${secret}`);
    }
    assert.doesNotMatch(text, /x-twilio-signature/i);
  });
});
