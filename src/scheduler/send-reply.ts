import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { classifyNumber, maskNumber } from '../domain/phone.ts';
import type { ReplyReason } from '../domain/types.ts';
import { budgetPeriods } from '../policy/budget-periods.ts';
import { smsCost } from '../policy/cost.ts';
import { budgetRetryAt, decideReply, retryDelay } from '../policy/decide.ts';
import { assessHostility, isCuriousTest } from '../policy/hostility.ts';
import { ceilingFor, pacedRecheckAt, pacingPlan } from '../policy/pacing.ts';
import type { RuleBook } from '../policy/rules.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { OutboundSms, TelephonyProvider } from '../telephony/provider.ts';
import type { Tariff } from '../hotline/tariff.ts';
import type { ClaimedReply, ReplyStore } from './ports.ts';

export interface SendSettings {
  timeZone: string;
  publicUrl: string;
  /** Give up retrying provider errors after this many attempts. */
  maxAttempts: number;
  /** Look again after this long at a reply held because its provider is not configured here. */
  holdRecheckMs: number;
  /** Look again at a reply that did not fit a cap after at most this long (caps may be raised). */
  budgetRecheckMs: number;
  /** Lease of a claimed reply, renewed just before the provider call. */
  leaseMs: number;
  /** Pacing: ordinary callers per hour the day's cap is kept for while the shield is on, at least. */
  pacingFloorPerHour: number;
  /** Contacts after the scheduling one that make a caller hostile under pressure. */
  repeatLimit: number;
}

export interface SendDeps {
  store: ReplyStore;
  providers: ReadonlyMap<string, TelephonyProvider>;
  vault: NumberVault;
  clock: Clock;
  settings: SendSettings;
  /** Price per segment and caps in force, read at each send (operators may change them). */
  tariff(): Promise<Tariff>;
  /** The operator's prefix and keyword rules in force. */
  rules(): Promise<RuleBook>;
  /**
   * New callers per hour the hotline's lines usually get outside raids (what the pacing keeps the
   * shared daily cap for).
   */
  usualCallersPerHour(now: number): Promise<number>;
  log: Logger;
  onDecision?(reason: ReplyReason | 'held'): void;
  /** A provider refused or failed a send (the operator is alerted). */
  onProviderError?(provider: string, detail: string): void;
}

/**
 * Takes one claimed reply to its next state. Order matters for money and messages:
 * 1. a reply whose provider call may already have happened is reconciled with the provider first;
 * 2. the policy decides with everything known now;
 * 3. the cost is reserved against both caps in the same transaction that marks the attempt;
 * 4. only then is the provider called, with the reply's idempotency key.
 */
export async function processReply(
  deps: SendDeps,
  worker: string,
  reply: ClaimedReply,
): Promise<void> {
  const { store, settings, clock } = deps;
  const context = await store.context(reply, clock.now());
  if (!context) throw new Error(`reply ${reply.id} refers to a missing line or caller`);
  const { line } = context;
  const provider = deps.providers.get(line.provider);
  if (!provider) {
    // Not a decision about this caller: wait (a process with the provider configured may take
    // it), and let expiry end it.
    const now = clock.now();
    const detail = `line ${line.number} uses ${line.provider}, which is not configured on this process`;
    if (now > reply.expiresAt)
      await store.cancel(reply.id, worker, { reason: 'expired', detail, now });
    else
      await store.hold(reply.id, worker, {
        reason: 'provider_error',
        until: now + settings.holdRecheckMs,
        detail,
        now,
      });
    deps.log.error({ reply: reply.id, provider: line.provider }, detail);
    return;
  }
  const to = deps.vault.decrypt(context.callerNumberEnc);
  const sms = (body: string): OutboundSms => ({
    from: line.number,
    to,
    body,
    idempotencyKey: reply.idempotencyKey,
    statusCallbackUrl: `${settings.publicUrl}/webhooks/${provider.name}/${provider.statusEndpoint}?key=${reply.idempotencyKey}`,
  });
  const sent = async (sid: string, status: string, how: string) => {
    await store.markSent(reply.id, worker, { sid, status, now: clock.now() });
    deps.log.info({ reply: reply.id, to: maskNumber(to), sid }, how);
    deps.onDecision?.('sent');
  };

  // 1. A provider call may already have happened: never send again before knowing.
  if (reply.providerSid !== null) {
    await sent(
      reply.providerSid,
      reply.deliveryStatus ?? 'sent',
      'the provider had acknowledged this reply; marked sent',
    );
    return;
  }
  if (reply.providerAttemptedAt !== null && reply.body !== null) {
    let found;
    try {
      found = await provider.findSent(sms(reply.body), reply.providerAttemptedAt, clock.now());
    } catch (error) {
      const now = clock.now();
      const detail = `could not check with ${provider.name} whether the SMS went out: ${(error as Error).message}`;
      await store.retryLater(reply.id, worker, {
        until: now + retryDelay(reply.attempts),
        errorCode: null,
        detail,
        now,
        released: false,
      });
      deps.log.warn({ reply: reply.id }, detail);
      return;
    }
    if (found && 'waitUntil' in found) {
      // The provider cannot be asked: its delivery report, which carries our key, settles it, and
      // only a long enough silence counts as "not sent" (see docs/providers.md).
      const now = clock.now();
      const detail = `waiting for ${provider.name}'s delivery report to learn whether the SMS went out`;
      await store.retryLater(reply.id, worker, {
        until: Math.max(found.waitUntil, now + 1000),
        errorCode: null,
        detail,
        now,
        released: false,
      });
      deps.log.info({ reply: reply.id }, detail);
      return;
    }
    if (found) {
      await sent(found.sid, found.status, 'interrupted send found at the provider; marked sent');
      return;
    }
    await store.clearAttempt(reply.id, worker);
  }
  const now = clock.now();
  if (reply.attempts >= settings.maxAttempts) {
    // Only reached once the provider confirmed that no earlier attempt went out.
    await store.fail(reply.id, worker, {
      reason: 'provider_error',
      errorCode: null,
      detail: `gave up after ${reply.attempts} attempts`,
      now,
    });
    deps.onDecision?.('provider_error');
    return;
  }

  // 2. Decide with everything known now: the caller's behaviour during the delay included.
  const rules = await deps.rules();
  const blockRule = rules.blockedPrefix(to);
  const hostility = assessHostility(
    {
      now,
      scheduledAt: reply.createdAt,
      contacts: context.contacts,
      rangeCallers: context.rangeCallers,
      arrivedDuringShield: context.arrivedDuringShield,
      shieldActive: line.shield.active,
      shieldDuringDelay: context.shieldDuringDelay,
    },
    { repeatLimit: settings.repeatLimit },
  );
  const texts = context.contacts.flatMap((c) => (c.body === null ? [] : [c.body]));
  const keyword = rules.keywordIn(texts);
  const decision = decideReply({
    now,
    reply,
    line,
    destination: classifyNumber(to),
    acceptsFictionNumbers: provider.acceptsFictionNumbers,
    blockedBy: context.caller.blocked
      ? 'number on the blocklist'
      : blockRule
        ? `prefix ${blockRule.value} (rule #${blockRule.id})`
        : null,
    optedOut: context.caller.optedOut,
    allowed: context.caller.allowed || rules.allowedPrefix(to) !== null,
    alreadyRepliedWithinCooldown: context.alreadyRepliedWithinCooldown,
    keywordRule: keyword ? { id: keyword.id, keyword: keyword.value } : null,
    // Every contact, not the first: a man who texted "test" and then called, or wrote anything
    // else while waiting, is not a curious tester.
    testMessage: isCuriousTest(context.contacts),
    hostility,
  });
  const trace = {
    signals: JSON.stringify(hostility.signals),
    priority: decision.action === 'send' ? decision.priority : hostility.score,
  };
  if (decision.action === 'hold') {
    await store.hold(reply.id, worker, {
      reason: decision.reason,
      until: decision.until,
      detail: null,
      now,
    });
    deps.onDecision?.('held');
    return;
  }
  if (decision.action === 'cancel') {
    await store.cancel(reply.id, worker, {
      reason: decision.reason,
      detail: decision.detail,
      now,
      trace,
    });
    deps.log.info(
      { reply: reply.id, to: maskNumber(to), reason: decision.reason },
      'reply cancelled',
    );
    deps.onDecision?.(decision.reason);
    return;
  }

  // 3. Reserve the cost against both caps (and, while the shield is on, under the paced ceiling),
  //    marking the attempt in the same transaction.
  const body = line.replyText;
  const tariff = await deps.tariff();
  const caps = { dailyMicros: tariff.dailyMicros, monthlyMicros: tariff.monthlyMicros };
  const cost = smsCost(body, tariff.segmentPriceMicros);
  const periods = budgetPeriods(now, settings.timeZone);
  // Allowlisted callers (priority -1) come first in the pacing's line, but are paced too.
  const paced = line.shield.active;
  let pace: { ceilingMicros: number } | null = null;
  if (paced) {
    const plan = pacingPlan({
      now,
      dayEnd: periods.nextDayStart,
      dailyCapMicros: tariff.dailyMicros,
      replyCostMicros: cost.costMicros,
      usualCallersPerHour: await deps.usualCallersPerHour(now),
      floorPerHour: settings.pacingFloorPerHour,
    });
    const ahead = await store.pacedAheadMicros(
      line.id,
      { id: reply.id, priority: decision.priority, dueAt: reply.dueAt },
      cost.costMicros,
    );
    pace = { ceilingMicros: ceilingFor(plan, ahead) };
  }
  const reserved = await store.reserve(reply.id, worker, {
    costMicros: cost.costMicros,
    body,
    segments: cost.segments,
    encoding: cost.encoding,
    provider: provider.name,
    day: periods.day,
    month: periods.month,
    caps,
    pace,
    now,
    leaseUntil: now + settings.leaseMs,
    trace,
  });
  if (reserved === 'paced') {
    // Held, not dropped: looked at again at the next pacing step, least hostile first, until the
    // reserve kept for the day's ordinary callers shrinks enough, or the shield goes off.
    await store.hold(reply.id, worker, {
      reason: 'paced',
      until: pacedRecheckAt(now, reply.expiresAt),
      detail: "the shield paces the day's budget, least hostile callers first",
      now,
      trace,
    });
    deps.onDecision?.('held');
    return;
  }
  if (reserved !== 'reserved') {
    const until = budgetRetryAt(now, reserved, periods, settings.budgetRecheckMs);
    const detail = `the ${reserved === 'day' ? 'daily' : 'monthly'} cap would be exceeded`;
    if (until > reply.expiresAt) {
      await store.cancel(reply.id, worker, {
        reason: 'budget_exhausted',
        detail: `${detail} until the reply expired`,
        now,
        trace,
      });
      deps.onDecision?.('budget_exhausted');
    } else {
      await store.hold(reply.id, worker, {
        reason: 'budget_exhausted',
        until,
        detail,
        now,
        trace,
      });
      deps.onDecision?.('held');
    }
    return;
  }

  // 4. Only now call the provider.
  const result = await provider.sendSms(sms(body));
  const after = clock.now();
  if (result.ok) {
    await sent(result.sid, result.status, 'reply sent');
    return;
  }
  const attempts = reply.attempts + 1;
  if (result.failure === 'rejected') {
    await store.fail(reply.id, worker, {
      reason: 'provider_rejected',
      errorCode: result.errorCode,
      detail: result.message,
      now: after,
    });
    deps.log.warn(
      { reply: reply.id, to: maskNumber(to), error: result.message },
      'reply refused by the provider',
    );
    deps.onDecision?.('provider_rejected');
    deps.onProviderError?.(provider.name, result.message);
    return;
  }
  // An ambiguous failure keeps its mark even after the last attempt: the next claim asks the
  // provider, and only gives up once it knows nothing went out.
  await store.retryLater(reply.id, worker, {
    until: after + retryDelay(attempts),
    errorCode: result.errorCode,
    detail: result.message,
    now: after,
    released: result.failure === 'not_processed',
  });
  deps.log.warn({ reply: reply.id, attempts, error: result.message }, 'provider error; will retry');
  deps.onDecision?.('provider_retry');
  deps.onProviderError?.(provider.name, result.message);
}
