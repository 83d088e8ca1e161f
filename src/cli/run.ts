import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig, type Config } from '../config/load.ts';
import { ConfigError, NonmerciError } from '../domain/errors.ts';
import { openStorage } from '../storage/db.ts';
import { migrateToLatest, pendingMigrations, unknownMigrations } from '../storage/migrate.ts';
import { HELP_TOPICS, helpFor, USAGE } from './help.ts';
import type { Role } from './serve.ts';
import { actorName } from './operator.ts';

// Each command's module is imported when it runs: the server does not load the others' libraries.

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Entry point of the `nonmerci` command. Returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  let config: Config | null = null;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      const topic =
        rest[0] === undefined || rest[0] === '--help' || rest[0] === '-h' ? 'main' : rest[0];
      const text = helpFor(topic);
      if (text === null) {
        process.stderr.write(
          `nonmerci: there is no help on "${topic}"; write "nonmerci help" followed by one of: ${HELP_TOPICS.join(', ')}.\n`,
        );
        return 2;
      }
      print(text);
      return 0;
    }
    if (helpFor(command) === null || command === 'main' || command === 'settings') {
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE.main}\n`);
      return 2;
    }
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        force: { type: 'boolean' },
        check: { type: 'boolean' },
        role: { type: 'string' },
        processes: { type: 'string' },
        from: { type: 'string' },
        body: { type: 'string' },
        line: { type: 'string' },
        'no-wait': { type: 'boolean' },
        'reject-calls': { type: 'boolean' },
        note: { type: 'string' },
        by: { type: 'string' },
        limit: { type: 'string' },
        scenario: { type: 'string' },
        out: { type: 'string' },
        language: { type: 'string' },
        json: { type: 'boolean' },
        'password-stdin': { type: 'boolean' },
        to: { type: 'string' },
        'dry-run': { type: 'boolean' },
        number: { type: 'string' },
        'public-url': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      print(USAGE[command]!);
      return 0;
    }
    const maxPositionals =
      {
        shield: 1,
        rules: 2,
        admin: 2,
        evidence: 2,
        secret: 1,
        privacy: 2,
        connect: 1,
        backup: 1,
        restore: 1,
      }[command] ?? 0;
    if (positionals.length > maxPositionals)
      throw new NonmerciError(
        'invalid_input',
        `Unexpected "${positionals[maxPositionals]}".\n\n${USAGE[command]}`,
      );
    if (command === 'simulate') {
      // A replay runs on its own temporary database: it needs the settings, not the deployment's data.
      return await (
        await import('./simulate.ts')
      ).runSimulate(
        {
          scenario: values.scenario ?? null,
          out: values.out ?? null,
          language: values.language ?? null,
          json: Boolean(values.json),
        },
        print,
      );
    }
    if (command === 'connect')
      // Checks the settings itself: the credentials may not be set yet (it asks for them), and it
      // opens no database, so it creates no data folder or secret.
      return await (
        await import('./connect.ts')
      ).runConnect(
        positionals[0] ?? null,
        {
          number: values.number ?? null,
          publicUrl: values['public-url'] ?? null,
          dryRun: Boolean(values['dry-run']),
        },
        (await import('./connect.ts')).terminalIo(),
      );
    config = loadConfig(process.env);
    switch (command) {
      case 'serve': {
        const role = (values.role ?? 'all') as Role;
        if (!['all', 'web', 'worker'].includes(role))
          throw new NonmerciError(
            'invalid_input',
            `--role must be all, web or worker, not "${role}".`,
          );
        const processes = values.processes === undefined ? 1 : Number(values.processes);
        if (!Number.isInteger(processes) || processes < 1 || processes > 64)
          throw new NonmerciError(
            'invalid_input',
            `--processes takes a whole number from 1 to 64, not "${values.processes}".`,
          );
        const { clusterIndex, runCluster } = await import('./cluster.ts');
        const index = clusterIndex();
        if (processes > 1 && index === null) {
          if (role !== 'all')
            throw new NonmerciError(
              'invalid_input',
              '--processes starts whole servers; to split web and worker, start "serve --role web" and "serve --role worker" yourself.',
            );
          await runCluster(config, processes, print);
          return -1; // keeps running
        }
        await (await import('./serve.ts')).runServe(config, role, index ? () => {} : print);
        return -1; // keeps running
      }
      case 'migrate': {
        const storage = openStorage(config.database);
        try {
          if (values.check) {
            // Reports only: applies nothing.
            const newer = await unknownMigrations(storage);
            if (newer.length)
              throw new NonmerciError(
                'migrations_newer',
                `${storage.describe} was updated by a newer nonmerci (${newer.join(', ')}): upgrade nonmerci before running it on this database.`,
              );
            const pending = await pendingMigrations(storage);
            print(
              pending.length
                ? `${pending.length} migration${pending.length > 1 ? 's are' : ' is'} pending on ${storage.describe}: ${pending.join(', ')}. Run "nonmerci migrate" to apply ${pending.length > 1 ? 'them' : 'it'} (the server also does at start).`
                : `${storage.describe} is up to date: no migration is pending.`,
            );
            return pending.length ? 1 : 0;
          }
          const applied = await migrateToLatest(storage);
          print(
            applied.length
              ? `Applied ${applied.join(', ')} on ${storage.describe}.`
              : `${storage.describe} is up to date.`,
          );
        } finally {
          await storage.close();
        }
        return 0;
      }
      case 'doctor':
        return await (
          await import('./doctor.ts')
        ).runDoctor(config, { json: Boolean(values.json) }, print);
      case 'backup':
        return await (
          await import('./backup.ts')
        ).runBackup(config, { file: positionals[0] ?? null }, print);
      case 'restore':
        return await (
          await import('./backup.ts')
        ).runRestore(config, { file: positionals[0] ?? null, force: Boolean(values.force) }, print);
      case 'pause':
      case 'resume':
        return await (
          await import('./pause.ts')
        ).runPause(
          config,
          {
            paused: command === 'pause',
            line: values.line ?? null,
            rejectCalls: Boolean(values['reject-calls']),
            actor: actorName(values.by),
          },
          print,
        );
      case 'shield':
        return await (
          await import('./shield.ts')
        ).runShield(
          config,
          { mode: positionals[0] ?? null, line: values.line ?? null, actor: actorName(values.by) },
          print,
        );
      case 'rules':
        return await (
          await import('./rules.ts')
        ).runRules(
          config,
          {
            action: positionals[0] ?? 'list',
            value: positionals[1] ?? null,
            note: values.note ?? null,
            actor: actorName(values.by),
          },
          print,
        );
      case 'admin':
        return await (
          await import('./admin.ts')
        ).runAdmin(
          config,
          {
            action: positionals[0] ?? null,
            username: positionals[1] ?? null,
            passwordStdin: values['password-stdin'] ?? false,
          },
          print,
        );
      case 'evidence':
        return await (
          await import('./evidence.ts')
        ).runEvidence(
          config,
          {
            action: positionals[0] ?? null,
            arg: positionals[1] ?? null,
            from: values.from ?? null,
            to: values.to ?? null,
            line: values.line ?? null,
            out: values.out ?? null,
            note: values.note ?? null,
            language: values.language ?? null,
            actor: actorName(values.by),
          },
          print,
        );
      case 'privacy':
        return await (
          await import('./privacy.ts')
        ).runPrivacy(
          config,
          {
            action: positionals[0] ?? null,
            number: positionals[1] ?? null,
            out: values.out ?? null,
            dryRun: Boolean(values['dry-run']),
            actor: actorName(values.by),
          },
          print,
        );
      case 'secret':
        return await (
          await import('./secret.ts')
        ).runSecret(config, { action: positionals[0] ?? null, actor: actorName(values.by) }, print);
      case 'audit': {
        const limit = Number(values.limit ?? '50');
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          throw new NonmerciError(
            'invalid_input',
            '--limit must be a whole number from 1 to 10000.',
          );
        return await (await import('./audit.ts')).runAudit(config, limit, print);
      }
      case 'call':
      case 'text': {
        if (!values.from)
          throw new NonmerciError(
            'invalid_input',
            `--from NUMBER is required.\n\n${USAGE[command]}`,
          );
        if (command === 'text' && values.body === undefined)
          throw new NonmerciError('invalid_input', `--body TEXT is required.\n\n${USAGE.text}`);
        return await (
          await import('./contact.ts')
        ).runContact(
          config,
          {
            kind: command === 'call' ? 'call' : 'text',
            from: values.from,
            body: command === 'text' ? values.body! : null,
            line: values.line ?? null,
            wait: !values['no-wait'],
          },
          print,
        );
      }
    }
    return 0;
  } catch (error) {
    const known = error instanceof NonmerciError ? error : startupFailure(error, config);
    if (known) {
      process.stderr.write(`nonmerci: ${known.message}\n`);
      return 1;
    }
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`nonmerci: ${error.message}\n\n${USAGE[command] ?? USAGE.main}\n`);
      return 2;
    }
    throw error;
  }
}

/** PostgreSQL refusals that mean "this user, password or database is wrong" (or the server is full). */
const POSTGRES_REFUSALS = /^(08|28|3D|53|57P0)|^42501$/;

/** True when `error` is the driver failing to reach or log into the database of `url`. */
function isPostgresRefusal(error: Error, url: URL): boolean {
  if (error instanceof pg.DatabaseError) return POSTGRES_REFUSALS.test(error.code ?? '');
  if (/^SASL: /.test(error.message)) return true; // a password the server wants is missing
  if (error instanceof AggregateError)
    return (
      error.errors.length > 0 &&
      error.errors.every((e) => e instanceof Error && isPostgresRefusal(e, url))
    );
  // Only errors about the database's own host and port: another service's are not its fault.
  const { syscall, hostname, port, address } = error as NodeJS.ErrnoException & {
    hostname?: string;
    port?: number;
    address?: string;
  };
  if (syscall === 'getaddrinfo') return hostname === url.hostname;
  if (syscall === 'connect')
    return port === Number(url.port || 5432) || Boolean(address?.includes('.s.PGSQL.'));
  return false;
}

/**
 * A start-up failure the operator fixes in the settings (an address nobody answers on, a port
 * taken, a database that does not exist), as a ConfigError naming the setting; null for anything
 * else, which is a bug and keeps its stack trace.
 */
function startupFailure(error: unknown, config: Config | null): ConfigError | null {
  if (!config || !(error instanceof Error)) return null;
  const { code, syscall, hostname } = error as NodeJS.ErrnoException & { hostname?: string };
  const address = `${config.host}:${config.port}`;
  if (syscall === 'listen' || (syscall === 'getaddrinfo' && hostname === config.host)) {
    if (code === 'EADDRINUSE')
      return new ConfigError(
        'PORT',
        `${address} is already in use (another nonmerci?); stop that program or write another PORT, e.g. 3001`,
      );
    if (code === 'EACCES')
      return new ConfigError(
        'PORT',
        `${config.port} needs administrator rights here; write a port above 1023, e.g. 3000, with a reverse proxy in front`,
      );
    return new ConfigError(
      'HOST',
      `cannot listen on ${address} (${code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'no address has that name' : error.message}); write 127.0.0.1 (private, behind a reverse proxy), 0.0.0.0 (every interface) or an address of this machine`,
    );
  }
  if (config.database.kind !== 'postgres') return null;
  const url = new URL(config.database.url);
  if (!isPostgresRefusal(error, url)) return null;
  return new ConfigError(
    'DATABASE_URL',
    `cannot use the PostgreSQL database ${url.hostname || url.searchParams.get('host') || 'localhost'}:${url.port || 5432}${url.pathname} (${error.message}); check that PostgreSQL runs there and the host, port, user, password and database name in DATABASE_URL`,
  );
}
