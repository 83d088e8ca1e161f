/**
 * Built-in text pools of the replay, used when a scenario lists none. They are here to exercise the
 * shield's text classifier the way a real raid would: the hostile pool is deliberately coarse
 * (insults, threats and sexual texts as a forum raid writes them, leetspeak and spacing included),
 * the ordinary pool is what men who were given the number actually send.
 */

/** First messages of men who were given the number. */
export const ORDINARY_TEXTS: readonly string[] = [
  "Salut c'est Karim, on s'est vus au métro",
  "C'est qui ?",
  'Bonsoir',
  "Salut, c'est Thomas du bar de tout à l'heure 😊",
  "Coucou c'est moi, le mec du bus 38",
  'Hello ! On se voit quand ?',
  "Salut, tu m'as donné ton numéro devant la boulangerie",
  "Bonsoir, c'est Julien, on a parlé en terrasse",
  'Tu fais quoi ce soir ?',
  "Hey c'est Mehdi, ça va ?",
  "Bonjour, c'est bien le numéro de Sarah ?",
  "Coucou, c'est le gars du marché 🙂",
  'On boit un verre samedi ?',
  "Salut ! C'est Antoine, de la soirée chez Léa",
  'Salut beauté',
  "Bonsoir, c'est Yann. Bien rentrée ?",
];

/** What the same men send when they come back. */
export const FOLLOW_UP_TEXTS: readonly string[] = [
  'Tu dors ?',
  "T'as eu mon message ?",
  'Bon, réponds quand tu peux',
  'Allô ?',
  '??',
  "C'est quoi ce numéro ?",
  'Sérieux ?',
  "Ok j'ai compris",
];

/** People who heard about the line and check that it answers. */
export const CURIOUS_TEXTS: readonly string[] = [
  'test',
  'Test',
  'Test 1 2 3',
  'ceci est un test',
  'essai',
  'ça marche ?',
  'test test',
  'tesssst',
  'Je teste le numéro anti-relous',
  "c'est vrai que ça répond ?",
  'Test depuis Twitter',
  'coucou le numéro magique',
  '1 2 1 2',
];

/** Insults, threats and sexual texts of a forum raid, with the usual filter dodges. */
export const HOSTILE_TEXTS: readonly string[] = [
  'connasse',
  'féminazie',
  "t'es morte",
  'suce',
  's4l0pe',
  'c o n n a s s e',
  'FÉMINAZIE DE MERDE',
  'grosse pute',
  'p u t e',
  's a l o p e',
  "t'es morte ce soir",
  'on sait où tu habites',
  'on va te retrouver',
  'fais gaffe à toi',
  'ferme ta gueule',
  'va te faire foutre',
  'hystérique',
  'mal baisée',
  'c0nn4ss3',
  'm4l b4is33',
  'sale chienne',
  'crève',
  'montre tes seins',
  'envoie des nudes',
  'le forum te salue connasse',
  'féminazi de mes couilles',
];

/** Raiders' texts that carry no insult: noise a keyword filter cannot catch. */
export const BLAND_TEXTS: readonly string[] = [
  'lol',
  'mdr',
  'coucou',
  'ptdr',
  '😂😂😂',
  'salut',
  'allo',
  'ahah',
  'bisous',
  '?',
  'ISSOU',
  'ayaaa',
];

/** What raid scripts repeat. */
export const BOT_TEXTS: readonly string[] = [
  'ISSOU',
  'connasse',
  'féminazie de merde',
  'RAID RAID RAID',
  'lol',
];

/** Bodies of pumping traffic: short and meaningless. */
export const SPOOFED_TEXTS: readonly string[] = [
  'ok',
  'Bonjour',
  'info',
  'oui',
  '?',
  'hello',
  '1234',
  'code',
  'merci',
];
