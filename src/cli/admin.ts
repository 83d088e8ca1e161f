import { randomInt } from 'node:crypto';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { localTime, withHotline } from './operator.ts';

export const ADMIN_ACTIONS = ['reset-password', 'users'] as const;

/** Letters and digits that cannot be mistaken for one another when read aloud or copied by hand. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A password of four groups of five characters: about 100 bits, and easy to type from a screen. */
export function generatePassword(): string {
  const group = () =>
    Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

/**
 * `nonmerci admin reset-password [USER]`: the way back into the dashboard. Sets a new password
 * (read from standard input with --password-stdin, else generated and printed once), creates the
 * user as an admin if it does not exist, and signs the user out everywhere.
 * `nonmerci admin users`: the dashboard accounts.
 */
export async function runAdmin(
  config: Config,
  cmd: { action: string | null; username: string | null; passwordStdin: boolean },
  print: (line: string) => void,
  readStdin: () => Promise<string> = readAll,
): Promise<number> {
  if (!ADMIN_ACTIONS.includes(cmd.action as (typeof ADMIN_ACTIONS)[number]))
    throw new InvalidInputError(
      `"nonmerci admin" needs one of: ${ADMIN_ACTIONS.join(', ')}; see "nonmerci admin --help".`,
    );
  return withHotline(config, async (h) => {
    if (cmd.action === 'users') {
      const users = await h.accounts.list();
      if (users.length === 0)
        print('No dashboard account yet: open the dashboard to create the first one.');
      for (const u of users)
        print(
          `${u.username}  ${u.role}  last sign-in: ${u.lastLoginAt ? localTime(u.lastLoginAt, config.timeZone) : 'never'}`,
        );
      return 0;
    }
    const username = cmd.username ?? 'admin';
    const generated = !cmd.passwordStdin;
    const password = generated ? generatePassword() : (await readStdin()).replace(/\r?\n$/, '');
    const { created } = await h.accounts.resetPassword(username, password);
    print(
      created
        ? `✓ administrator "${username}" created.`
        : `✓ password of "${username}" changed; their open sessions are signed out.`,
    );
    if (generated)
      print(
        `  New password: ${password}\n  Sign in with it, then choose your own under "Account". It is not shown again.`,
      );
    return 0;
  });
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
