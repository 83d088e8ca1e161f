import { withoutForbiddenCharacters } from './operator-text.ts';
import type { Language } from './types.ts';

/**
 * Default words the hotline says and texts, per language. The SMS texts stay within the GSM-7 alphabet
 * (no ç, ê, typographic apostrophes or guillemets) so each reply costs one segment.
 */
export interface LineTexts {
  voice: string;
  pausedVoice: string;
  reply: string;
  /** BCP-47 tag and text-to-speech voice for the provider. */
  speechLanguage: string;
  speechVoice: string;
}

export const DEFAULT_TEXTS: Record<Language, LineTexts> = {
  fr: {
    voice:
      "Bonjour. Vous avez appelé un numéro anti-relous. La personne qui vous l'a donné ne voulait pas vous laisser le sien. Respecter un refus, c'est la base. Au revoir.",
    pausedVoice: 'Ce service est momentanément indisponible. Au revoir.',
    reply:
      "Bonjour. Si on vous a donné ce numéro, c'est qu'elle ne voulait pas vous donner le sien. Un non est un non : insister, c'est du harcèlement.",
    speechLanguage: 'fr-FR',
    speechVoice: 'Polly.Lea',
  },
  en: {
    voice:
      'Hello. You have called an anti-harassment number. The person who gave it to you did not want to give you hers. Taking no for an answer is the least you can do. Goodbye.',
    pausedVoice: 'This service is temporarily unavailable. Goodbye.',
    reply:
      "Hi. If you were given this number, it's because she didn't want to give you hers. No means no: insisting is harassment.",
    speechLanguage: 'en-GB',
    speechVoice: 'Polly.Amy',
  },
};

/**
 * A stored voice text as a provider may speak it: without the characters operator texts may not
 * hold (see operator-text.ts), and the language's default message if nothing is left, since a
 * call must hear words.
 */
export function speakableText(text: string, language: Language): string {
  return (
    withoutForbiddenCharacters(text).trim() || (DEFAULT_TEXTS[language] ?? DEFAULT_TEXTS.fr).voice
  );
}
