import { fr } from '../../dashboard/src/locales/fr.ts';

/**
 * The language check of the pages, the replay report and the complaint PDF: a reader's text holds
 * no dictionary key, no internal code (snake_case) and no common word of the other language.
 */

/** Words common in one language and absent from the other's sentences. */
const WORDS = {
  en: new Set(
    'the and with your you this that will from have has are was were been which when what there their they would could should of is to for not yes every each any replies sent waiting calls caller callers numbers shield texts received blocked'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les des une est sont pas avec pour dans sur aux du au et ou qui que ne ce cette ces leur leurs vous nous il elle ils mais plus tout tous été être réponse réponses appel appels appelant appelants ligne envoyé envoyée bouclier reçus bloqué'.split(
      ' ',
    ),
  ),
};
const KEYS = new Set(Object.keys(fr));

/** What the reader sees, without what is not ours to translate. */
export const READABLE = `(() => {
  const lang = document.documentElement.lang;
  const copy = document.body.cloneNode(true);
  for (const el of copy.querySelectorAll('[translate="no"], script, style, svg, canvas'))
    el.remove();
  for (const el of copy.querySelectorAll('[lang]'))
    if (el.getAttribute('lang') !== lang) el.remove();
  document.body.append(copy);
  copy.style.position = 'absolute';
  const text = copy.innerText;
  copy.remove();
  return text;
})()`;

export function problems(text: string, lang: 'fr' | 'en'): string[] {
  const other = lang === 'fr' ? WORDS.en : WORDS.fr;
  const found = new Set<string>();
  for (const token of text.match(/[\p{L}_.]+/gu) ?? []) {
    if (KEYS.has(token)) found.add(`key ${token}`);
    if (/^[a-z]+(_[a-z]+)+$/.test(token)) found.add(`code ${token}`);
    if (other.has(token.toLowerCase()))
      found.add(`${lang === 'fr' ? 'English' : 'French'} "${token}"`);
  }
  return [...found];
}
