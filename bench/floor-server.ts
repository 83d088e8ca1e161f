/**
 * The benchmark's floor: the least a server may do with a webhook before answering it, under the
 * rules nonmerci keeps (README, "How a webhook is taken in"), and nothing more. It reads the form,
 * checks the Twilio signature with the official package (the URL Twilio called first, as nonmerci
 * does), encrypts the raw body (AES-256-GCM: nothing a caller sent lies in clear on disk) and
 * appends it to a SQLite table by group commit (WAL, synchronous=FULL: every webhook arriving in
 * one turn of the event loop shares one transaction and one disk sync; a provider's retry is a
 * no-op on its sid), then answers fixed TwiML of nonmerci's size. No number parsed, no blocklist,
 * no evidence, nothing done with what was stored: a bound, not a product. With FLOOR_PG_URL it
 * appends to PostgreSQL instead (synchronous_commit on, a multi-row insert a batch). Started by
 * bench/webhooks.ts with PORT, PUBLIC_URL, TWILIO_AUTH_TOKEN and FLOOR_DB or FLOOR_PG_URL.
 */
import { createCipheriv, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import webhooks from 'twilio/lib/webhooks/webhooks.js';
import { SMS, TWIML, VOICE } from './fixed-twiml.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`floor-server: set ${name}`);
  return value;
};
const publicUrl = required('PUBLIC_URL');
const authToken = required('TWILIO_AUTH_TOKEN');

interface Row {
  sid: string;
  body: string;
}

/** Writes one batch in one transaction, synced to disk before it resolves. */
type Commit = (rows: Row[], now: number) => Promise<void>;

/** SQLite, WAL and synchronous=FULL, one writer: nonmerci's default. */
function sqliteStore(path: string): { commit: Commit; parallel: number; close(): Promise<void> } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'create table if not exists log (sid text primary key, received_at integer not null, body text not null)',
  );
  const insert = db.prepare('insert or ignore into log (sid, received_at, body) values (?, ?, ?)');
  const write = db.transaction((rows: Row[], now: number) => {
    for (const row of rows) insert.run(row.sid, now, row.body);
  });
  return {
    // A failed write rejects its batch's promise, as the PostgreSQL store's does.
    commit: (rows, now) =>
      new Promise((resolve) => {
        write(rows, now);
        resolve();
      }),
    parallel: 1,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/** PostgreSQL, synchronous_commit on, one multi-row insert a batch, 4 batches at once (as nonmerci). */
async function postgresStore(
  url: string,
): Promise<{ commit: Commit; parallel: number; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await pool.query(
    'create table if not exists log (sid text primary key, received_at bigint not null, body text not null)',
  );
  return {
    commit: async (rows, now) => {
      await pool.query(
        `insert into log (sid, received_at, body)
         select sid, $2, body from unnest($1::text[], $3::text[]) as r(sid, body)
         on conflict do nothing`,
        [rows.map((r) => r.sid), now, rows.map((r) => r.body)],
      );
    },
    parallel: 4,
    close: () => pool.end(),
  };
}

const store = process.env.FLOOR_PG_URL
  ? await postgresStore(process.env.FLOOR_PG_URL)
  : sqliteStore(required('FLOOR_DB'));
const key = createSecretKey(randomBytes(32));

function encrypt(text: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

function signed(signature: unknown, url: string, params: Record<string, string>): boolean {
  if (typeof signature !== 'string') return false;
  const given = Buffer.from(signature);
  const expected = Buffer.from(webhooks.getExpectedTwilioSignature(authToken, url, params));
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return webhooks.validateRequest(authToken, signature, url, params);
}

/**
 * Group commit: whatever arrived while the previous batches were being written goes in the next
 * one, as soon as a writer is free; each webhook waits for its own batch.
 */
interface Waiting extends Row {
  done: (error: Error | null) => void;
}
let queue: Waiting[] = [];
let scheduled = false;
let inFlight = 0;
function schedule(): void {
  if (scheduled || inFlight >= store.parallel || queue.length === 0) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const batch = queue;
    queue = [];
    inFlight++;
    store
      .commit(batch, Date.now())
      .then(
        () => batch.forEach((w) => w.done(null)),
        (error: unknown) => batch.forEach((w) => w.done(error as Error)),
      )
      .finally(() => {
        inFlight--;
        schedule();
      });
    schedule();
  });
}
function append(sid: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    queue.push({ sid, body, done: (error) => (error ? reject(error) : resolve()) });
    schedule();
  });
}

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => {
    const raw = body as string;
    done(null, { raw, params: Object.fromEntries(new URLSearchParams(raw)) });
  },
);
app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
for (const [path, sidField, answer] of [
  ['/webhooks/twilio/voice', 'CallSid', VOICE],
  ['/webhooks/twilio/sms', 'MessageSid', SMS],
] as const) {
  app.post(path, async (request, reply) => {
    const { raw, params } = request.body as { raw: string; params: Record<string, string> };
    if (!signed(request.headers['x-twilio-signature'], publicUrl + request.url, params))
      return reply.status(403).send();
    const sid = params[sidField];
    if (!sid) return reply.status(400).send();
    await append(sid, encrypt(raw));
    return reply.type(TWIML).send(answer);
  });
}

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
await app.listen({ port, host });
process.stdout.write(`floor server listening on http://${host}:${port}\n`);

const stop = () => {
  void app.close().then(() => {
    void store.close().finally(() => process.exit(0));
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
