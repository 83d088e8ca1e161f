import { createHmac, type KeyObject } from 'node:crypto';

/**
 * Words spelled the same in French and English (animals, stars and constellations, elements,
 * plants, winds, dances), so that a nickname reads the same on every page whatever its language.
 * 160 words × 100 two-digit numbers: 16,000 nicknames, so two of a raid's few hundred numbers
 * may share one; the mask beside it (first digits and last two) still tells them apart.
 */
// prettier-ignore
const WORDS = [
  'Alligator', 'Anaconda', 'Barracuda', 'Bison', 'Boa', 'Bonobo', 'Capybara', 'Caribou',
  'Chinchilla', 'Cobra', 'Condor', 'Cougar', 'Coyote', 'Dingo', 'Fennec', 'Gazelle',
  'Gecko', 'Gibbon', 'Grizzly', 'Hamster', 'Husky', 'Ibis', 'Impala', 'Jaguar',
  'Kiwi', 'Koala', 'Lemming', 'Lynx', 'Mandrill', 'Marlin', 'Mouflon', 'Mustang',
  'Ocelot', 'Okapi', 'Opossum', 'Oryx', 'Panda', 'Pangolin', 'Pika', 'Piranha',
  'Puma', 'Python', 'Quetzal', 'Scorpion', 'Serval', 'Tamarin', 'Tapir', 'Toucan',
  'Wapiti', 'Wombat', 'Yak', 'Altair', 'Antares', 'Deneb', 'Rigel', 'Vega',
  'Sirius', 'Orion', 'Castor', 'Pollux', 'Mira', 'Lyra', 'Spica', 'Capella',
  'Aldebaran', 'Polaris', 'Procyon', 'Regulus', 'Arcturus', 'Canopus', 'Bellatrix', 'Mizar',
  'Alcor', 'Electra', 'Maia', 'Atlas', 'Titan', 'Callisto', 'Triton', 'Phobos',
  'Deimos', 'Vesta', 'Pallas', 'Neptune', 'Jupiter', 'Nova', 'Quasar', 'Pulsar',
  'Cosmos', 'Draco', 'Cygnus', 'Aquila', 'Hydra', 'Lupus', 'Corvus', 'Carina',
  'Vela', 'Pyxis', 'Lepus', 'Columba', 'Phoenix', 'Cetus', 'Gemini', 'Jade',
  'Onyx', 'Quartz', 'Agate', 'Cobalt', 'Zinc', 'Nickel', 'Chrome', 'Argon',
  'Krypton', 'Radon', 'Lithium', 'Sodium', 'Calcium', 'Potassium', 'Osmium', 'Iridium',
  'Palladium', 'Rhodium', 'Indium', 'Gallium', 'Thorium', 'Radium', 'Mistral', 'Sirocco',
  'Chinook', 'Blizzard', 'Baobab', 'Cactus', 'Lotus', 'Magnolia', 'Mimosa', 'Yucca',
  'Ginkgo', 'Eucalyptus', 'Hibiscus', 'Iris', 'Dahlia', 'Fuchsia', 'Cyclamen', 'Ficus',
  'Piano', 'Banjo', 'Tuba', 'Sitar', 'Gong', 'Tempo', 'Tango', 'Salsa',
  'Samba', 'Rumba', 'Mambo', 'Polka', 'Jazz', 'Solo', 'Duo', 'Trio',
] as const;

/**
 * A caller's nickname, "Jaguar-07": a word and two digits drawn from an HMAC of the number under a
 * key derived from the secret. The same number always gets the same nickname; the nickname tells
 * nothing about the number (16,000 values for a billion numbers, and no way to compute one without
 * the secret), so operators can talk about a caller without seeing or saying his number.
 */
export function nicknameOf(key: KeyObject, normalized: string): string {
  const digest = createHmac('sha256', key).update(normalized).digest();
  const word = WORDS[digest.readUInt32BE(0) % WORDS.length]!;
  const digits = digest.readUInt32BE(4) % 100;
  return `${word}-${String(digits).padStart(2, '0')}`;
}

/** How many nicknames there are (for the docs and tests). */
export const NICKNAME_COUNT = WORDS.length * 100;
