import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Language } from '../../src/web/api/contract.ts';
import { en } from './locales/en.ts';
import { fr } from './locales/fr.ts';

export type Key = keyof typeof fr;
/** Keys that exist as `name_one` / `name_other` pairs, chosen by count. */
type PluralKey = { [K in Key]: K extends `${infer Base}_one` ? Base : never }[Key];
type Params = Record<string, string | number>;

const dictionaries: Record<Language, Record<Key, string>> = { fr, en };
const locales: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };
const STORAGE_KEY = 'nonmerci.language';

export const LANGUAGE_NAMES: Record<Language, string> = { fr: 'Français', en: 'English' };

export function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
  } catch {
    return 'fr';
  }
}

export function storeLanguage(lang: Language): void {
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private browsing may refuse storage: the choice then lasts until the page is reloaded.
  }
}

export interface I18n {
  lang: Language;
  setLang: (lang: Language) => void;
  /** The hotline's time zone once known; dates are shown in it, not in the browser's. */
  timeZone: string | undefined;
  t: (key: Key, params?: Params) => string;
  has: (key: string) => key is Key;
  /** Plural-aware: picks `key_one` or `key_other`; `{count}` is the formatted count. */
  tn: (key: PluralKey, count: number, params?: Params) => string;
  number: (value: number) => string;
  /** Integer micro-units → "2,40 €"; `precise` keeps up to 4 decimals (prices per SMS). */
  money: (micros: number, currency: string, precise?: boolean) => string;
  dateTime: (ms: number) => string;
  /** A period with its year: "1 nov. 2026, 16:00 – 22:00". */
  period: (from: number, to: number) => string;
  time: (ms: number) => string;
  date: (ms: number) => string;
  /** "lun. 3" */
  shortDay: (ms: number) => string;
  /** "2026-11-03" → "3 nov." */
  day: (isoDay: string) => string;
  /** "2026-11" → "novembre 2026" */
  month: (isoMonth: string) => string;
  list: (items: string[]) => string;
}

export function createI18n(
  lang: Language,
  setLang: (lang: Language) => void,
  timeZone: string | undefined,
): I18n {
  const dictionary = dictionaries[lang];
  const locale = locales[lang];
  const plural = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale);
  const zoned = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { timeZone, ...options });
  const dateTime = zoned({
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const time = zoned({ hour: '2-digit', minute: '2-digit' });
  const period = zoned({
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const date = zoned({ day: 'numeric', month: 'long', year: 'numeric' });
  const shortDay = zoned({ weekday: 'short', day: 'numeric' });
  const day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short' });
  const month = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  });
  const lists = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });

  const t = (key: Key, params?: Params) => {
    const text = dictionary[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
  };

  return {
    lang,
    setLang,
    timeZone,
    t,
    has: (key): key is Key => Object.hasOwn(dictionary, key),
    tn: (key, count, params) => {
      const form = plural.select(count) === 'one' ? 'one' : 'other';
      return t(`${key}_${form}` as Key, { ...params, count: numbers.format(count) });
    },
    number: (value) => numbers.format(value),
    money: (micros, currency, precise = false) =>
      new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: 2,
        maximumFractionDigits: precise ? 4 : 2,
      }).format(micros / 1_000_000),
    dateTime: (ms) => dateTime.format(ms),
    period: (from, to) => period.formatRange(from, to),
    time: (ms) => time.format(ms),
    date: (ms) => date.format(ms),
    shortDay: (ms) => shortDay.format(ms),
    day: (isoDay) => day.format(new Date(`${isoDay}T00:00:00Z`)),
    month: (isoMonth) => month.format(new Date(`${isoMonth}-01T00:00:00Z`)),
    list: (items) => lists.format(items),
  };
}

export const I18nContext = createContext<I18n>(createI18n('fr', () => {}, undefined));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
