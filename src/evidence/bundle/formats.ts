import { MICROS } from '../../domain/types.ts';

/** How the report writes dates, numbers and money for its reader. */
export interface Formats {
  /** "1 novembre 2026 à 17:00 UTC+1". */
  dateTime: (ms: number) => string;
  /** "1 novembre 2026 à 16:00 UTC". */
  dateTimeUtc: (ms: number) => string;
  /** "1 nov., 17:00:05": times of single events, to the second. */
  eventTime: (ms: number) => string;
  /** "1 nov., 17:00": start of an hour in the per-hour table. */
  hour: (ms: number) => string;
  /** "17h" / "17:00": chart axis. */
  hourShort: (ms: number) => string;
  /** "1 234". */
  count: (n: number) => string;
  /** "1 234,50 €"; sub-cent amounts keep up to four decimals ("0,0790 €"). */
  money: (micros: number) => string;
}

/** Formats for `locale`, local times in `timeZone`, amounts in `currency`. */
export function formatsFor(locale: string, timeZone: string, currency: string): Formats {
  const dateTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'shortOffset',
  });
  const dateTimeUtc = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  const eventTime = new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const hour = new Intl.DateTimeFormat(locale, {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const hourShort = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
  });
  const count = new Intl.NumberFormat(locale);
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = money.resolvedOptions().maximumFractionDigits ?? 2;
  const fineMoney = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: Math.max(digits, 4),
    maximumFractionDigits: Math.max(digits, 4),
  });
  return {
    dateTime: (ms) => dateTime.format(ms),
    dateTimeUtc: (ms) => dateTimeUtc.format(ms),
    eventTime: (ms) => eventTime.format(ms),
    hour: (ms) => hour.format(ms),
    hourShort: (ms) => hourShort.format(ms),
    count: (n) => count.format(n),
    money: (micros) => {
      // A reply priced 0.0790 must not read as 0.08: widen only when the currency's digits lose cents.
      const exact = micros % 10 ** (6 - digits) === 0;
      return (exact ? money : fineMoney).format(micros / MICROS);
    },
  };
}
