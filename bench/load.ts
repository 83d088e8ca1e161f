/**
 * Load generation for the webhook benchmark: a pool of Twilio webhooks signed ahead of time (so
 * that HMAC work on the client side stays out of the measure) and an autocannon runner that sends
 * a distinct pool entry on every request and records each latency at sub-millisecond resolution.
 */
import autocannon from 'autocannon';
import twilio from 'twilio';

export const VOICE_PATH = '/webhooks/twilio/voice';
export const SMS_PATH = '/webhooks/twilio/sms';

export interface SignedWebhook {
  path: string;
  body: Buffer;
  signature: string;
  kind: 'voice' | 'sms';
}

export interface MixSettings {
  /** Base URL the server checks signatures against (its PUBLIC_URL). */
  publicUrl: string;
  accountSid: string;
  authToken: string;
  /** The hotline number called and texted. */
  line: string;
  /** Share of calls; the rest are texts. */
  voiceShare: number;
  /** Share of contacts from the small set of repeat callers; the rest are first-time callers. */
  repeatShare: number;
  repeatCallers: number;
}

/** Deterministic PRNG (mulberry32) so two runs send the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = [
  'Salut, tu fais quoi ce soir ?',
  "Coucou c'est moi, on s'est vus au bar hier",
  'Pourquoi tu réponds pas ??',
  'Allô ?',
  'On se voit quand ? 😊',
  'Hello, je voulais juste discuter un peu avec toi, tu es libre demain après-midi ?',
];

/**
 * Webhooks shaped like the ones Twilio sends (same fields, same sizes), each with a unique
 * CallSid/MessageSid. First-time callers get fresh French mobile numbers; repeat callers come from
 * a small set, so some contacts hit the cooldown path and the caller upsert conflicts.
 */
export class WebhookPool {
  readonly #settings: MixSettings;
  readonly #items: SignedWebhook[] = [];
  readonly #random = prng(20240601);

  constructor(settings: MixSettings) {
    this.#settings = settings;
  }

  get size(): number {
    return this.#items.length;
  }

  at(index: number): SignedWebhook {
    const item = this.#items[index];
    if (!item) throw new Error(`webhook pool exhausted at ${index} (size ${this.#items.length})`);
    return item;
  }

  /** Signs webhooks until the pool holds at least `count`. */
  ensure(count: number): void {
    while (this.#items.length < count) this.#items.push(this.#make(this.#items.length));
  }

  #make(index: number): SignedWebhook {
    const s = this.#settings;
    const random = this.#random;
    const voice = random() < s.voiceShare;
    const from =
      random() < s.repeatShare
        ? `+3375${String(Math.floor(random() * s.repeatCallers)).padStart(7, '0')}`
        : `+3361${String(index).padStart(7, '0')}`;
    const sid = (voice ? 'CA' : 'SM') + index.toString(16).padStart(32, '0');
    const place = {
      FromCity: '',
      FromState: '',
      FromZip: '',
      FromCountry: 'FR',
      ToCity: '',
      ToState: '',
      ToZip: '',
      ToCountry: 'FR',
    };
    const params: Record<string, string> = voice
      ? {
          AccountSid: s.accountSid,
          ApiVersion: '2010-04-01',
          CallSid: sid,
          CallStatus: 'ringing',
          Called: s.line,
          CalledCity: '',
          CalledCountry: 'FR',
          CalledState: '',
          CalledZip: '',
          Caller: from,
          CallerCity: '',
          CallerCountry: 'FR',
          CallerState: '',
          CallerZip: '',
          Direction: 'inbound',
          From: from,
          To: s.line,
          ...place,
        }
      : {
          AccountSid: s.accountSid,
          ApiVersion: '2010-04-01',
          Body: TEXTS[Math.floor(random() * TEXTS.length)]!,
          From: from,
          MessageSid: sid,
          NumMedia: '0',
          NumSegments: '1',
          SmsMessageSid: sid,
          SmsSid: sid,
          SmsStatus: 'received',
          To: s.line,
          ...place,
        };
    const path = voice ? VOICE_PATH : SMS_PATH;
    return {
      path,
      kind: voice ? 'voice' : 'sms',
      body: Buffer.from(new URLSearchParams(params).toString()),
      signature: twilio.getExpectedTwilioSignature(s.authToken, s.publicUrl + path, params),
    };
  }
}

export interface LoadResult {
  /** Requests answered, whatever the status. */
  answered: number;
  ok: number;
  /** Answers outside 2xx, by status code. */
  non2xx: Record<string, number>;
  errors: number;
  timeouts: number;
  /** From the first request sent to the last answer. */
  elapsedMs: number;
  /** Answers per second over the second half of the run, once warmed up. */
  tailRate: number;
  /** Latencies of 2xx answers, in ms, sorted. */
  latencies: Float64Array;
  /** Pool entries handed to the load generator (each one written once). */
  sent: number;
}

/**
 * Sends exactly `amount` webhooks over `connections` keep-alive connections, taking pool entries
 * from `firstIndex` on (wrapping around when `wrap` is set, for targets that keep nothing), and
 * waits for every answer so that the server's records can be checked against the 2xx count.
 */
export function runLoad(options: {
  url: string;
  connections: number;
  amount: number;
  pool: WebhookPool;
  firstIndex: number;
  wrap: boolean;
  /** Called with performance.now() at each 2xx answer. */
  onOk?: (at: number) => void;
}): Promise<LoadResult> {
  const { pool, wrap } = options;
  let next = options.firstIndex;
  let sent = 0;
  let ok = 0;
  let answered = 0;
  let lastAnswer = 0;
  let halfway = 0;
  const half = Math.floor(options.amount / 2);
  const non2xx: Record<string, number> = {};
  const latencies = new Float64Array(options.amount + options.connections);
  const request: autocannon.Request = {
    method: 'POST',
    setupRequest(req) {
      const item = pool.at(wrap ? next % pool.size : next);
      next++;
      sent++;
      req.path = item.path;
      req.headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': item.signature,
        'user-agent': 'TwilioProxy/1.1',
      };
      req.body = item.body;
      return req;
    },
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        amount: options.amount,
        timeout: 10,
        requests: [request],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const measured = latencies.subarray(0, ok);
        measured.sort();
        resolve({
          answered,
          ok,
          non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          elapsedMs: (lastAnswer || performance.now()) - started,
          tailRate:
            halfway && lastAnswer > halfway
              ? ((answered - half) * 1000) / (lastAnswer - halfway)
              : 0,
          latencies: measured,
          sent,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      answered++;
      lastAnswer = performance.now();
      if (answered === half) halfway = lastAnswer;
      if (statusCode >= 200 && statusCode < 300) {
        if (ok < latencies.length) latencies[ok] = responseTimeMs;
        ok++;
        options.onOk?.(lastAnswer);
      } else {
        non2xx[statusCode] = (non2xx[statusCode] ?? 0) + 1;
      }
    });
  });
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
