import { normaliseText } from './normalise.ts';

/**
 * Opt-out keywords used by French carriers (STOP, STOP SMS, ARRET, "STOP au 36180") and by Twilio
 * (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE), normalised like the texts.
 */
const STOP_WORDS = new Set(
  [
    'stop',
    'stopsms',
    'stopall',
    'arrêt',
    'arretsms',
    'cancel',
    'end',
    'quit',
    'optout',
    'revoke',
  ].flatMap((w) => normaliseText(w).words),
);
/** Stems: "unsubscribe", "désabonner", "désabonnez-moi", "désinscription", "désinscrire". */
const STOP_STEMS = ['unsubscri', 'desabon', 'desinscri'].flatMap((w) => normaliseText(w).words);

/**
 * Is this text an opt-out request? The convention (French carriers' "STOP au 36180", Twilio's
 * keywords) is that the message starts with the keyword, so a text counts when its FIRST normalised
 * word is an opt-out keyword: "STOP", "Stop.", "  stop  ", "stop!!", "STOP SMS", "ARRÊT",
 * "désabonner", and also "stop ça tout de suite connard". Over-matching is harmless (opting out only
 * means we never text that number again) and a harasser saying "stop" should be left alone anyway.
 * A sentence that only contains the word ("arrête de me harceler", "je veux pas que ça stop") does
 * not count, nor does a keyword after a greeting ("Bonjour, STOP").
 */
export function isStopRequest(text: string): boolean {
  const first = normaliseText(text.slice(0, 1000)).words[0];
  if (first === undefined) return false;
  return STOP_WORDS.has(first) || STOP_STEMS.some((stem) => first.startsWith(stem));
}
