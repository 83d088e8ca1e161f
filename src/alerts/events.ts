import { parseJsonObject } from '../domain/json.ts';
import { maskNumbersIn } from '../domain/phone.ts';
import { formatMoney, type Language } from '../domain/types.ts';
import {
  describeShieldReason,
  readShieldReason,
  type ShieldReason,
} from '../policy/shield-reason.ts';

/**
 * What operators are alerted about. Times are epoch milliseconds, money integer micro-units.
 * `line` is the hotline's own number (operators need to know which line); a caller's number never
 * appears in an alert: free-text details go through `maskNumbersIn` (see `redactEvent`).
 */
export type AlertEvent =
  | {
      kind: 'shield_on';
      line: string;
      at: number;
      trigger: 'auto' | 'operator';
      /** In English; `reason`, when present, is said in the reader's language instead. */
      detail: string;
      reason?: ShieldReason;
    }
  | {
      /** A text labelled threat (violence, death, rape, doxxing): operators hear of it at once. */
      kind: 'threat';
      line: string;
      at: number;
      /** The contact, for the dashboard (the text itself never leaves it). */
      contactId: number;
      /** The caller's row, for deduplication: one alert per threatening caller. */
      callerId: number;
      /** The line's shield was on: threats during a raid are grouped, one alert per 15 minutes. */
      raid: boolean;
    }
  | {
      kind: 'shield_off';
      line: string;
      at: number;
      trigger: 'auto' | 'operator';
      /** Start of the shield period this ends: the period's identity. */
      startedAt: number;
    }
  | {
      kind: 'budget';
      period: 'day' | 'month';
      /** "2026-11-01" for a day, "2026-11" for a month (local calendar of the deployment). */
      periodKey: string;
      threshold: BudgetThreshold;
      spentMicros: number;
      capMicros: number;
      currency: string;
      at: number;
    }
  | { kind: 'provider_error'; provider: string; at: number; detail: string }
  /** Sent from the dashboard's "Send a test" button, straight to one destination, never stored. */
  | { kind: 'test'; at: number };

export type AlertKind = AlertEvent['kind'];

/** A percentage of a cap (1 to 100) at which operators are alerted. */
export type BudgetThreshold = number;
export const BUDGET_THRESHOLDS: readonly BudgetThreshold[] = [50, 80, 100];

/** Provider errors are alerted at most once per provider per window of this length. */
export const PROVIDER_ERROR_WINDOW_MS = 15 * 60_000;
/** During a raid, threats are alerted at most once per line per window of this length. */
export const RAID_THREAT_WINDOW_MS = 15 * 60_000;

/** Longest free-text detail kept in an alert; provider messages can be long. */
const DETAIL_MAX = 500;

/**
 * The dedupe key of an event: raising two events with one key gives one alert, even from two
 * processes. One alert per shield period start and per period end, one per budget period and
 * threshold, and at most one provider error per provider per 15-minute window (fixed windows of
 * the epoch, so errors at 14:59 and 15:01 fall in two windows).
 */
export function alertKey(event: AlertEvent): string {
  switch (event.kind) {
    case 'shield_on':
      return `shield_on:${event.line}:${event.at}`;
    case 'shield_off':
      return `shield_off:${event.line}:${event.startedAt}`;
    case 'budget':
      return `budget:${event.period}:${event.periodKey}:${event.threshold}`;
    case 'provider_error':
      return `provider_error:${event.provider}:${Math.floor(event.at / PROVIDER_ERROR_WINDOW_MS)}`;
    case 'threat':
      return event.raid
        ? `threat:${event.line}:raid:${Math.floor(event.at / RAID_THREAT_WINDOW_MS)}`
        : `threat:${event.line}:caller:${event.callerId}`;
    case 'test':
      return `test:${event.at}`;
  }
}

/**
 * The thresholds (by default 50, 80, 100 % of the cap) that a spend has reached, lowest first. A
 * cap of zero or less is a deliberate "send nothing" and reaches none.
 */
export function budgetThresholdsReached(
  spentMicros: number,
  capMicros: number,
  thresholds: readonly BudgetThreshold[] = BUDGET_THRESHOLDS,
): BudgetThreshold[] {
  if (!(capMicros > 0) || !(spentMicros > 0)) return [];
  // Integers throughout: spent × 100 ≥ cap × threshold, no floating-point percentages.
  return [...thresholds].sort((a, b) => a - b).filter((t) => spentMicros * 100 >= capMicros * t);
}

function cleanDetail(detail: string): string {
  const oneLine = maskNumbersIn(detail).replace(/\s+/g, ' ').trim();
  return oneLine.length > DETAIL_MAX ? `${oneLine.slice(0, DETAIL_MAX - 1)}…` : oneLine;
}

/** The event with its free-text details masked and shortened: what may be stored and sent. */
export function redactEvent(event: AlertEvent): AlertEvent {
  switch (event.kind) {
    case 'shield_on':
    case 'provider_error':
      return { ...event, detail: cleanDetail(event.detail) };
    default:
      return event;
  }
}

/** Reads an event back from its stored JSON; null when it is not one this version knows. */
export function parseAlertEvent(json: string): AlertEvent | null {
  const v = parseJsonObject(json);
  if (!v) return null;
  const str = (k: string) => typeof v[k] === 'string';
  const num = (k: string) => typeof v[k] === 'number' && Number.isFinite(v[k]);
  const trigger = v.trigger === 'auto' || v.trigger === 'operator';
  switch (v.kind) {
    case 'shield_on':
      if (!(str('line') && num('at') && trigger && str('detail'))) return null;
      {
        const { reason, ...rest } = v as AlertEvent & { kind: 'shield_on' };
        const parsed = readShieldReason(reason);
        return parsed ? { ...rest, reason: parsed } : rest;
      }
    case 'threat':
      return str('line') &&
        num('at') &&
        num('contactId') &&
        num('callerId') &&
        typeof v.raid === 'boolean'
        ? (v as AlertEvent)
        : null;
    case 'shield_off':
      return str('line') && num('at') && trigger && num('startedAt') ? (v as AlertEvent) : null;
    case 'budget':
      return (v.period === 'day' || v.period === 'month') &&
        str('periodKey') &&
        Number.isInteger(v.threshold) &&
        (v.threshold as number) >= 1 &&
        (v.threshold as number) <= 100 &&
        num('spentMicros') &&
        num('capMicros') &&
        str('currency') &&
        num('at')
        ? (v as AlertEvent)
        : null;
    case 'provider_error':
      return str('provider') && num('at') && str('detail') ? (v as AlertEvent) : null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Wording. Short, calm, and always ending with what to do (often: nothing).

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/** "dimanche 1er novembre à 17:05 UTC+1" / "Sunday 1 November at 17:05 CET", in the given zone. */
function when(at: number, language: Language, timeZone: string): string {
  return firstOfMonth(
    new Intl.DateTimeFormat(LOCALES[language], {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(at),
    language,
  );
}

/** French writes the first day of a month "1er": "1er novembre". */
function firstOfMonth(date: string, language: Language): string {
  return language === 'fr' ? date.replace(/(^|\s)1 (?=\p{L})/u, '$11er ') : date;
}

function money(micros: number, currency: string, language: Language): string {
  const s = formatMoney(micros, currency);
  return language === 'fr' ? s.replace('.', ',') : s;
}

/** "2 h 05 min", "12 min", or "less than a minute". */
function duration(ms: number, language: Language): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return language === 'fr' ? "moins d'une minute" : 'less than a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return `${h} h ${String(m).padStart(2, '0')} min`;
}

/** "1 novembre 2026" for a day key, "novembre 2026" for a month key; the key itself otherwise. */
function periodName(period: 'day' | 'month', key: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(key);
  if (!match) return key;
  const [, y, m, d] = match;
  const date = Date.UTC(Number(y), Number(m) - 1, d ? Number(d) : 1);
  return firstOfMonth(
    new Intl.DateTimeFormat(LOCALES[language], {
      timeZone: 'UTC',
      ...(period === 'day' && d ? { day: 'numeric' } : {}),
      month: 'long',
      year: 'numeric',
    }).format(date),
    language,
  );
}

const SUBJECT_PREFIX = '[nonmerci]';

/**
 * Subject and plain-text body of an alert, in the operators' language, with times in the
 * deployment's time zone. Details are masked again here, whatever the caller passed.
 */
export function formatAlert(
  event: AlertEvent,
  language: Language,
  timeZone: string,
): { subject: string; text: string } {
  const e = redactEvent(event);
  const fr = language === 'fr';
  const at = when(e.at, language, timeZone);
  const lines = (...parts: (string | false)[]) => parts.filter((p) => p !== false).join('\n\n');

  switch (e.kind) {
    case 'shield_on': {
      const auto = e.trigger === 'auto';
      const reason = e.reason ?? null;
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Bouclier anti-raid activé sur la ligne ${e.line}`,
            text: lines(
              auto
                ? `Le bouclier anti-raid s'est activé tout seul le ${at} sur la ligne ${e.line}.`
                : `Le bouclier anti-raid a été activé à la main le ${at} sur la ligne ${e.line}.`,
              reason !== null
                ? `Raison : ${describeShieldReason(reason, 'fr')}`
                : e.detail !== '' && `Raison : ${e.detail}`,
              `Ce que ça veut dire : la ligne reçoit bien plus d'appelants agressifs ou de contacts que d'habitude, comme lors d'un raid organisé. Tant que le bouclier est actif, les appelants qui insultent, menacent ou rappellent sans cesse ne reçoivent pas de SMS, et le budget du jour est dépensé au rythme qui garde de quoi répondre aux appelants ordinaires attendus d'ici minuit : les autres SMS de réponse sont mis en attente et partent à leur tour, ils ne sont pas perdus.`,
              auto
                ? `Que faire : en général, rien. Le bouclier se désactive tout seul quand le calme revient, et vous recevrez une autre alerte. Le détail est sur le tableau de bord. Si cet afflux est légitime (une campagne de votre collectif, un passage dans les médias), désactivez le bouclier avec la commande : nonmerci shield off`
                : `Que faire : le bouclier reste actif jusqu'à ce que quelqu'un le désactive, avec la commande : nonmerci shield off`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} Raid shield switched on for line ${e.line}`,
            text: lines(
              auto
                ? `On ${at}, the raid shield switched itself on for line ${e.line}.`
                : `On ${at}, the raid shield was switched on by hand for line ${e.line}.`,
              reason !== null
                ? `Reason: ${describeShieldReason(reason, 'en')}`
                : e.detail !== '' && `Reason: ${e.detail}`,
              `What it means: the line is getting far more hostile callers or contacts than usual, as in an organised raid. While the shield is on, callers who insult, threaten or keep calling back get no text, and the day's budget is spent at a pace that keeps enough for the ordinary callers expected before midnight: other reply texts are held back and go out in turn, they are not lost.`,
              auto
                ? `What to do: usually nothing. The shield switches itself off once things calm down, and you will get another alert. Details are on the dashboard. If this rush is legitimate (a campaign by your group, press coverage), switch the shield off with the command: nonmerci shield off`
                : `What to do: the shield stays on until someone switches it off, with the command: nonmerci shield off`,
            ),
          };
    }
    case 'shield_off': {
      const auto = e.trigger === 'auto';
      const lasted = duration(e.at - e.startedAt, language);
      const since = when(e.startedAt, language, timeZone);
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Bouclier anti-raid désactivé sur la ligne ${e.line}`,
            text: lines(
              auto
                ? `Le bouclier anti-raid s'est désactivé tout seul le ${at} sur la ligne ${e.line} : le calme est revenu.`
                : `Le bouclier anti-raid a été désactivé à la main le ${at} sur la ligne ${e.line}.`,
              `Il est resté actif ${lasted} (depuis le ${since}).`,
              `Les SMS de réponse encore en attente partent de nouveau normalement, dans la limite du budget. Rien à faire ; le bilan de la période est sur le tableau de bord.`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} Raid shield switched off for line ${e.line}`,
            text: lines(
              auto
                ? `On ${at}, the raid shield switched itself off for line ${e.line}: things have calmed down.`
                : `On ${at}, the raid shield was switched off by hand for line ${e.line}.`,
              `It was on for ${lasted} (since ${since}).`,
              `Reply texts still waiting go out normally again, within the budget. Nothing to do; a summary of the period is on the dashboard.`,
            ),
          };
    }
    case 'budget': {
      const spent = money(e.spentMicros, e.currency, language);
      const cap = money(e.capMicros, e.currency, language);
      const name = periodName(e.period, e.periodKey, language);
      const day = e.period === 'day';
      const setting = day ? 'BUDGET_DAILY' : 'BUDGET_MONTHLY';
      if (e.threshold === 100) {
        return fr
          ? {
              subject: day
                ? `${SUBJECT_PREFIX} Budget SMS du jour épuisé : plus de réponses avant minuit`
                : `${SUBJECT_PREFIX} Budget SMS du mois épuisé : plus de réponses avant le 1er du mois prochain`,
              text: lines(
                `Le ${at}, les SMS de réponse ont atteint le plafond ${day ? 'du' : 'de'} ${name} : ${spent} dépensés sur ${cap}.`,
                day
                  ? `Plus aucun SMS de réponse ne partira avant minuit. Les réponses prévues sont gardées en attente et partiront après minuit, sauf celles qui attendent depuis trop longtemps (réglage REPLY_EXPIRY, 24 h par défaut).`
                  : `Plus aucun SMS de réponse ne partira avant le 1er du mois prochain. Les réponses prévues sont gardées en attente, sauf celles qui attendent depuis trop longtemps (réglage REPLY_EXPIRY, 24 h par défaut).`,
                `Que faire : si c'est un raid, rien ; le plafond est là pour protéger votre argent. Si c'est un afflux légitime, relevez le plafond avec le réglage ${setting}, puis redémarrez nonmerci.`,
              ),
            }
          : {
              subject: day
                ? `${SUBJECT_PREFIX} Daily SMS budget used up: no more replies until midnight`
                : `${SUBJECT_PREFIX} Monthly SMS budget used up: no more replies until the 1st of next month`,
              text: lines(
                `On ${at}, reply texts reached the cap for ${name}: ${spent} spent of ${cap}.`,
                day
                  ? `No more reply texts will go out until midnight. Planned replies are kept waiting and go out after midnight, except those that have waited too long (setting REPLY_EXPIRY, 24 h by default).`
                  : `No more reply texts will go out until the 1st of next month. Planned replies are kept waiting, except those that have waited too long (setting REPLY_EXPIRY, 24 h by default).`,
                `What to do: if this is a raid, nothing; the cap is there to protect your money. If the rush is legitimate, raise the cap with the setting ${setting}, then restart nonmerci.`,
              ),
            };
      }
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Budget SMS ${day ? 'du jour' : 'du mois'} : ${e.threshold} % atteint`,
            text: lines(
              `Le ${at}, les SMS de réponse ont coûté ${spent} sur les ${cap} prévus pour ${day ? `le ${name}` : name} (${e.threshold} %).`,
              `Rien n'est bloqué pour l'instant. Quand le plafond sera atteint, les réponses seront mises en attente jusqu'${day ? 'à minuit' : 'au 1er du mois prochain'}.`,
              `Que faire : si la dépense monte plus vite que d'habitude, regardez sur le tableau de bord s'il y a un afflux d'appels ou de SMS. Pour relever le plafond : réglage ${setting}, puis redémarrez nonmerci.`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} ${day ? 'Daily' : 'Monthly'} SMS budget: ${e.threshold}% used`,
            text: lines(
              `On ${at}, reply texts had cost ${spent} of the ${cap} set for ${name} (${e.threshold}%).`,
              `Nothing is blocked yet. Once the cap is reached, replies will be held until ${day ? 'midnight' : 'the 1st of next month'}.`,
              `What to do: if spending is rising faster than usual, check the dashboard for a rush of calls or texts. To raise the cap: setting ${setting}, then restart nonmerci.`,
            ),
          };
    }
    case 'provider_error':
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Erreur chez le fournisseur télécom ${e.provider}`,
            text: lines(
              `Le ${at}, ${e.provider} a refusé ou n'a pas pu traiter une demande de nonmerci.`,
              e.detail !== '' && `Message du fournisseur : ${e.detail}`,
              `nonmerci réessaie tout seul quand c'est possible. Vous ne recevrez pas plus d'une alerte de ce type par quart d'heure.`,
              `Que faire : si l'alerte revient, vérifiez votre compte chez ${e.provider} (crédit restant, identifiants, numéro suspendu). Le journal de nonmerci donne le détail.`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} Error from telecom provider ${e.provider}`,
            text: lines(
              `On ${at}, ${e.provider} refused or could not handle a request from nonmerci.`,
              e.detail !== '' && `Provider's message: ${e.detail}`,
              `nonmerci retries by itself when it can. You will get at most one alert of this kind per quarter of an hour.`,
              `What to do: if the alert comes back, check your ${e.provider} account (remaining credit, credentials, suspended number). The nonmerci log has the details.`,
            ),
          };
    case 'test':
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Message de test`,
            text: lines(
              `Le ${at}, quelqu'un a cliqué sur « Envoyer un test » dans le tableau de bord.`,
              `Si vous lisez ceci, les alertes de nonmerci arrivent bien ici. Rien à faire.`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} Test message`,
            text: lines(
              `On ${at}, someone clicked "Send a test" in the dashboard.`,
              `If you can read this, nonmerci's alerts reach this place. Nothing to do.`,
            ),
          };
    case 'threat':
      return fr
        ? {
            subject: `${SUBJECT_PREFIX} Menace reçue sur la ligne ${e.line}`,
            text: lines(
              `Le ${at}, la ligne ${e.line} a reçu un SMS classé comme menace (violence, mort, viol, ou menace de révéler où vous vivez).`,
              e.raid
                ? `Un raid est en cours : vous ne recevrez pas plus d'une alerte de ce type par quart d'heure ; le tableau de bord les liste toutes.`
                : `Ce message ne coupe pas la réponse à lui seul : hors raid, l'appelant reçoit quand même le SMS sur le consentement. Le contact est gardé comme preuve (contact n° ${e.contactId}).`,
              `Que faire : lisez-le sur le tableau de bord (page Contacts, il y est flouté jusqu'à ce que vous choisissiez de le lire), puis décidez : bloquer le numéro, ou le garder en l'état. Si vous vous sentez en danger, ne restez pas seule : parlez-en à votre collectif et portez plainte ; l'export des preuves est prêt pour cela.`,
            ),
          }
        : {
            subject: `${SUBJECT_PREFIX} Threat received on line ${e.line}`,
            text: lines(
              `On ${at}, line ${e.line} received a text classified as a threat (violence, death, rape, or a threat to reveal where you live).`,
              e.raid
                ? `A raid is under way: you will get at most one alert of this kind per quarter of an hour; the dashboard lists them all.`
                : `This message alone does not stop the reply: outside a raid, the caller still gets the consent text. The contact is kept as evidence (contact #${e.contactId}).`,
              `What to do: read it on the dashboard (Contacts page, where it stays blurred until you choose to read it), then decide: block the number, or keep it as it is. If you feel in danger, do not stay alone: tell your group and file a complaint; the evidence export is ready for that.`,
            ),
          };
  }
}
