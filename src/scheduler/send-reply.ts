import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { maskNumber } from '../domain/phone.ts';
import { classifyNumber } from '../domain/phone.ts';
import type { ReplyReason } from '../domain/types.ts';
import { budgetPeriods } from '../policy/budget-periods.ts';
import { smsCost } from '../policy/cost.ts';
import { budgetRetryAt, decideReply, retryDelay } from '../policy/decide.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import type { OutboundSms, TelephonyProvider } from '../telephony/provider.ts';
import type { ClaimedReply, ReplyStore } from './ports.ts';

export interface SendSettings {
  segmentPriceMicros: number;
  budget: { dailyMicros: number; monthlyMicros: number };
  timeZone: string;
  publicUrl: string;
  /** Give up retrying provider errors after this many attempts. */
  maxAttempts: number;
  /** Look again at a held reply (paused line) after this long. */
  holdRecheckMs: number;
  /** Look again at a reply that did not fit a cap after at most this long (caps may be raised). */
  budgetRecheckMs: number;
  /** Lease of a claimed reply, renewed just before the provider call. */
  leaseMs: number;
}

export interface SendDeps {
  store: ReplyStore;
  providers: ReadonlyMap<string, TelephonyProvider>;
  vault: NumberVault;
  clock: Clock;
  settings: SendSettings;
  log: Logger;
  onDecision?(reason: ReplyReason | 'held'): void;
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
  const context = await store.context(reply);
  if (!context) throw new Error(`reply ${reply.id} refers to a missing line or caller`);
  const { line } = context;
  const provider = deps.providers.get(line.provider);
  if (!provider)
    throw new Error(
      `line ${line.number} uses provider "${line.provider}", which is not configured`,
    );
  const to = deps.vault.decrypt(context.callerNumberEnc);
  const sms = (body: string): OutboundSms => ({
    from: line.number,
    to,
    body,
    idempotencyKey: reply.idempotencyKey,
    statusCallbackUrl: `${settings.publicUrl}/webhooks/${provider.name}/status?key=${reply.idempotencyKey}`,
  });

  if (reply.providerAttemptedAt !== null && reply.body !== null) {
    const found = await provider.findSent(sms(reply.body), reply.providerAttemptedAt);
    if (found) {
      await store.markSent(reply.id, worker, {
        sid: found.sid,
        status: found.status,
        now: clock.now(),
      });
      deps.log.info(
        { reply: reply.id, to: maskNumber(to) },
        'interrupted send found at the provider; marked sent',
      );
      deps.onDecision?.('sent');
      return;
    }
    await store.clearAttempt(reply.id, worker);
  }

  const now = clock.now();
  const decision = decideReply({
    now,
    reply,
    line,
    destination: classifyNumber(to),
    acceptsFictionNumbers: provider.acceptsFictionNumbers,
    callerBlocked: context.callerBlocked,
    alreadyRepliedWithinCooldown: context.alreadyRepliedWithinCooldown,
    contactsSinceScheduled: context.contactsSinceScheduled,
    holdRecheckMs: settings.holdRecheckMs,
  });
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
    await store.cancel(reply.id, worker, { reason: decision.reason, detail: decision.detail, now });
    deps.log.info(
      { reply: reply.id, to: maskNumber(to), reason: decision.reason },
      'reply cancelled',
    );
    deps.onDecision?.(decision.reason);
    return;
  }

  const body = line.replyText;
  const cost = smsCost(body, settings.segmentPriceMicros);
  const periods = budgetPeriods(now, settings.timeZone);
  const reserved = await store.reserve(reply.id, worker, {
    costMicros: cost.costMicros,
    body,
    segments: cost.segments,
    encoding: cost.encoding,
    provider: provider.name,
    day: periods.day,
    month: periods.month,
    caps: settings.budget,
    now,
    leaseUntil: now + settings.leaseMs,
  });
  if (reserved !== 'reserved') {
    const retryAt = budgetRetryAt(reply.expiresAt, reserved, periods);
    const detail = `the ${reserved === 'day' ? 'daily' : 'monthly'} cap would be exceeded`;
    if (retryAt === null) {
      await store.cancel(reply.id, worker, {
        reason: 'budget_exhausted',
        detail: `${detail} until after the reply expires`,
        now,
      });
      deps.onDecision?.('budget_exhausted');
    } else {
      await store.hold(reply.id, worker, {
        reason: 'budget_exhausted',
        until: Math.min(retryAt, now + settings.budgetRecheckMs),
        detail,
        now,
      });
      deps.onDecision?.('held');
    }
    return;
  }

  const result = await provider.sendSms(sms(body));
  const after = clock.now();
  if (result.ok) {
    await store.markSent(reply.id, worker, { sid: result.sid, status: result.status, now: after });
    deps.log.info({ reply: reply.id, to: maskNumber(to), sid: result.sid }, 'reply sent');
    deps.onDecision?.('sent');
    return;
  }
  const attempts = reply.attempts + 1;
  if (result.retryable && attempts < settings.maxAttempts) {
    await store.retryLater(reply.id, worker, {
      until: after + retryDelay(attempts),
      errorCode: result.errorCode,
      detail: result.message,
      now: after,
    });
    deps.log.warn(
      { reply: reply.id, attempts, error: result.message },
      'provider error; will retry',
    );
    deps.onDecision?.('provider_retry');
    return;
  }
  const reason: ReplyReason = result.retryable ? 'provider_error' : 'provider_rejected';
  await store.fail(reply.id, worker, {
    reason,
    errorCode: result.errorCode,
    detail: result.message,
    now: after,
  });
  deps.log.warn({ reply: reply.id, to: maskNumber(to), error: result.message }, 'reply failed');
  deps.onDecision?.(reason);
}
