/**
 * The benchmark's baseline: a bare Fastify server on the webhook paths that reads the form body as
 * a string (Fastify refuses form bodies without a parser), ignores it and answers fixed TwiML of the
 * same size as nonmerci's. No logging, no signature check, no storage. Started by bench/webhooks.ts.
 */
import Fastify from 'fastify';
import { SMS, TWIML, VOICE } from './fixed-twiml.ts';

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => {
    done(null, body);
  },
);
app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
app.post('/webhooks/twilio/voice', async (_request, reply) => reply.type(TWIML).send(VOICE));
app.post('/webhooks/twilio/sms', async (_request, reply) => reply.type(TWIML).send(SMS));

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
process.stdout.write(`bare Fastify listening on http://${host}:${port}\n`);

const stop = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
