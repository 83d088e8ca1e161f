/** Plain words for the codes the API returns (reasons, outcomes, labels, audit actions). */
import type { ContactRow, ReplySummary } from '../../src/web/api/contract.ts';
import type { I18n } from './i18n.ts';

/** `prefix.value` from the dictionary, or the code itself for one this dashboard does not know. */
export function words(i18n: I18n, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return i18n.has(key) ? i18n.t(key) : value;
}

/** A masked caller number, or words for a withheld one. */
/** A caller as operators name him: his nickname beside his masked number, "Jaguar-07 (+3361****78)". */
export function callerText(i18n: I18n, caller: string, nickname?: string | null): string {
  if (caller === 'withheld') return i18n.t('caller.withheld');
  return nickname ? `${nickname} (${caller})` : caller;
}

export function labelsText(i18n: I18n, labels: readonly string[]): string {
  return i18n.list(labels.map((label) => words(i18n, 'label', label)));
}

/** Where a reply stands, as one sentence: "Sent Tue 3 Nov, 14:32 (€0.16)". */
export function replyStatus(i18n: I18n, reply: ReplySummary, currency: string): string {
  if (reply.state === 'sent') {
    const when = reply.sentAt ?? reply.dueAt;
    const counted = reply.costMicros !== null ? i18n.money(reply.costMicros, currency) : null;
    const reported = reply.reportedPrice
      ? i18n.t('reply.reportedPrice', { price: reply.reportedPrice })
      : null;
    const said = [counted, reported].filter(Boolean).join('; ');
    const cost = said ? ` (${said})` : '';
    return i18n.t('reply.sentAt', { time: i18n.dateTime(when) }) + cost;
  }
  if (reply.state === 'sending') return i18n.t('reply.sending');
  if (reply.state === 'scheduled') {
    return reply.reason
      ? words(i18n, 'held', reply.reason)
      : i18n.t('reply.due', { time: i18n.dateTime(reply.dueAt) });
  }
  return reply.reason ? words(i18n, 'reason', reply.reason) : i18n.t('reply.notSent');
}

/** What happened after a contact: its reply if there is one, else why none was planned. */
export function contactStatus(i18n: I18n, contact: ContactRow, currency: string): string {
  return contact.reply
    ? replyStatus(i18n, contact.reply, currency)
    : words(i18n, 'outcome', contact.outcome);
}
