import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { NonmerciError } from '../domain/errors.ts';
import { openStorage } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { runContact } from './contact.ts';
import { runPause } from './pause.ts';
import { USAGE } from './help.ts';
import { runServe, type Role } from './serve.ts';

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
    const { values } = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        role: { type: 'string' },
        from: { type: 'string' },
        body: { type: 'string' },
        line: { type: 'string' },
        'no-wait': { type: 'boolean' },
        'reject-calls': { type: 'boolean' },
      },
      strict: true,
    });
    if (values.help) {
      print(USAGE[command]!);
      return 0;
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
          },
          print,
        );
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
