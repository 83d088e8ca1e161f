import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testConfig } from '../../test/support/hotline.ts';
import type { Config } from '../config/load.ts';
import { InvalidInputError } from '../domain/errors.ts';
import { recentAudit } from '../storage/audit-repo.ts';
import { generatePassword, runAdmin } from './admin.ts';
import { withHotline } from './operator.ts';

const GENERATED = /^[a-km-z2-9]{5}(-[a-km-z2-9]{5}){3}$/;

describe('nonmerci admin', () => {
  let dir: string;
  let config: Config;
  let output: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nonmerci-admin-'));
    config = testConfig({ kind: 'sqlite', path: join(dir, 'nonmerci.db') });
    output = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const print = (line: string) => output.push(line);
  const run = (
    action: string | null,
    options: { username?: string; stdin?: string } = {},
  ): Promise<number> =>
    runAdmin(
      config,
      {
        action,
        username: options.username ?? null,
        passwordStdin: options.stdin !== undefined,
      },
      print,
      () => Promise.resolve(options.stdin ?? ''),
    );
  /** The password printed by a reset without --password-stdin. */
  const printed = () => /New password: (\S+)/.exec(output.join('\n'))?.[1] ?? '';
  const canSignIn = (username: string, password: string) =>
    withHotline(config, (h) =>
      h.accounts.login(username, password).then(
        (r) => r.session.user.role,
        () => null,
      ),
    );

  it('generates passwords of four groups of five unambiguous characters, each new', () => {
    const a = generatePassword();
    assert.match(a, GENERATED);
    assert.notEqual(generatePassword(), a);
  });

  it('reset-password creates the admin when there is none, with a password printed once', async () => {
    assert.equal(await run('reset-password'), 0);
    const password = printed();
    assert.match(password, GENERATED);
    assert.match(output[0]!, /administrator "admin" created/);
    assert.equal(await canSignIn('admin', password), 'admin');
    assert.equal(await canSignIn('admin', 'not the password'), null);
    const entries = await withHotline(config, (h) => recentAudit(h.storage.db, 10));
    const entry = entries.find((e) => e.action !== 'user.login');
    assert.deepEqual(
      [entry?.action, entry?.actor, entry?.target],
      ['user.create', 'command line', 'admin'],
    );
  });

  it('reset-password USER replaces their password and signs them out everywhere', async () => {
    await run('reset-password', { username: 'alice', stdin: 'first password 123\n' });
    const token = await withHotline(
      config,
      async (h) => (await h.accounts.login('alice', 'first password 123')).token,
    );
    output = [];
    assert.equal(await run('reset-password', { username: 'alice' }), 0);
    assert.match(output[0]!, /password of "alice" changed/);
    const password = printed();
    assert.equal(await canSignIn('alice', password), 'admin');
    assert.equal(await canSignIn('alice', 'first password 123'), null);
    assert.equal(await withHotline(config, (h) => h.accounts.authenticate(token)), null);
  });

  it('reads the password from standard input with --password-stdin, without printing it', async () => {
    assert.equal(
      await run('reset-password', { username: 'alice', stdin: 'typed by the operator\r\n' }),
      0,
    );
    assert.ok(!output.join('\n').includes('typed by the operator'));
    assert.equal(printed(), '');
    assert.equal(await canSignIn('alice', 'typed by the operator'), 'admin');
  });

  it('refuses a short password from standard input and changes nothing', async () => {
    await assert.rejects(
      run('reset-password', { username: 'alice', stdin: 'short\n' }),
      InvalidInputError,
    );
    assert.equal(await withHotline(config, (h) => h.accounts.setupNeeded()), true);
  });

  it('keeps the role of an existing moderator whose password is reset', async () => {
    await withHotline(config, async (h) => {
      await h.accounts.resetPassword('root', 'root password 123');
      await h.accounts.create('root', 'bob', 'moderator password', 'moderator');
    });
    await run('reset-password', { username: 'bob', stdin: 'new bob password\n' });
    assert.equal(await canSignIn('bob', 'new bob password'), 'moderator');
  });

  it('refuses an unknown or missing action before touching the database', async () => {
    await assert.rejects(run('delete-everything'), InvalidInputError);
    await assert.rejects(run(null), /reset-password, users/);
    assert.equal(existsSync(join(dir, 'nonmerci.db')), false);
  });

  it('users lists the accounts with their role and last sign-in', async () => {
    assert.equal(await run('users'), 0);
    assert.match(output.join('\n'), /No dashboard account yet/);
    await run('reset-password', { username: 'alice', stdin: 'alice password 123\n' });
    await withHotline(config, async (h) => {
      await h.accounts.create('alice', 'bob', 'moderator password', 'moderator');
      await h.accounts.login('alice', 'alice password 123');
    });
    output = [];
    assert.equal(await run('users'), 0);
    assert.equal(output.length, 2);
    assert.match(output[0]!, /^alice {2}admin {2}last sign-in: \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    assert.equal(output[1], 'bob  moderator  last sign-in: never');
  });
});
