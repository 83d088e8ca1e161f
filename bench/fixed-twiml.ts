/**
 * The fixed answers of the benchmark's baseline servers (bare-server.ts, floor-server.ts): TwiML
 * of the same size as nonmerci's, the French voice message and the empty answer to a text.
 */
export const TWIML = 'text/xml; charset=utf-8';
export const VOICE =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR" voice="Polly.Lea">' +
  "Bonjour. Vous avez appelé un numéro anti-relous. La personne qui vous l'a donné ne voulait pas vous laisser le sien. " +
  "Respecter un refus, c'est la base. Au revoir.</Say><Hangup/></Response>";
export const SMS = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
