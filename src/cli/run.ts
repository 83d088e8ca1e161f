import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { NonmerciError } from '../domain/errors.ts';
import { openStorage } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { runContact } from './contact.ts';
import { runPause } from './pause.ts';
import { USAGE } from './help.ts';
import { runServe, type Role } from './serve.ts';
import { runAdmin } from './admin.ts';
import { runAudit } from './audit.ts';
import { runEvidence } from './evidence.ts';
import { runSecret } from './secret.ts';
import { runPrivacy } from './privacy.ts';
import { actorName } from './operator.ts';
import { runRules } from './rules.ts';
import { runShield } from './shield.ts';
import { runSimulate } from './simulate.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Entry point of the `nonmerci` command. Returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      print(USAGE[rest[0] ?? 'main'] ?? USAGE.main!);
      return 0;
    }
    if (!(command in USAGE) || command === 'main' || command === 'settings') {
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE.main}\n`);
      return 2;
    }
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        role: { type: 'string' },
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
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      print(USAGE[command]!);
      return 0;
    }
    const maxPositionals =
      { shield: 1, rules: 2, admin: 2, evidence: 2, secret: 1, privacy: 2 }[command] ?? 0;
    if (positionals.length > maxPositionals)
      throw new NonmerciError(
        'invalid_input',
        `Unexpected "${positionals[maxPositionals]}".\n\n${USAGE[command]}`,
      );
    if (command === 'simulate') {
      // A replay runs on its own temporary database: it needs the settings, not the deployment's data.
      return await runSimulate(
        {
          scenario: values.scenario ?? null,
          out: values.out ?? null,
          language: values.language ?? null,
          json: Boolean(values.json),
        },
        print,
      );
    }
    const config = loadConfig(process.env);
    switch (command) {
      case 'serve': {
        const role = (values.role ?? 'all') as Role;
        if (!['all', 'web', 'worker'].includes(role))
          throw new NonmerciError(
            'invalid_input',
            `--role must be all, web or worker, not "${role}".`,
          );
        await runServe(config, role, print);
        return -1; // keeps running
      }
      case 'migrate': {
        const storage = openStorage(config.database);
        try {
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
      case 'pause':
      case 'resume':
        return await runPause(
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
        return await runShield(
          config,
          { mode: positionals[0] ?? null, line: values.line ?? null, actor: actorName(values.by) },
          print,
        );
      case 'rules':
        return await runRules(
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
        return await runAdmin(
          config,
          {
            action: positionals[0] ?? null,
            username: positionals[1] ?? null,
            passwordStdin: values['password-stdin'] ?? false,
          },
          print,
        );
      case 'evidence':
        return await runEvidence(
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
        return await runPrivacy(
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
        return await runSecret(
          config,
          { action: positionals[0] ?? null, actor: actorName(values.by) },
          print,
        );
      case 'audit': {
        const limit = Number(values.limit ?? '50');
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          throw new NonmerciError(
            'invalid_input',
            '--limit must be a whole number from 1 to 10000.',
          );
        return await runAudit(config, limit, print);
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
        return await runContact(
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
    if (error instanceof NonmerciError) {
      process.stderr.write(`nonmerci: ${error.message}\n`);
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
