import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { NonmerciError } from '../domain/errors.ts';
import { runFlow, type AccountNumber, type ProviderFlow } from './connect-flow.ts';
import { telnyxFlow } from './connect-telnyx.ts';
import { twilioFlow } from './connect-twilio.ts';
import { vonageFlow } from './connect-vonage.ts';

export { maskSecret, webhookBase } from './connect-flow.ts';

/**
 * `nonmerci connect <provider>`: checks the provider credentials, points one of the account's
 * numbers at this hotline's webhooks, and writes the settings to ./.env, so that going live is one
 * command instead of a visit to the provider's console and a hand-edited file.
 */
export interface ConnectOptions {
  /** --number, in any usual spelling; null to choose from the account's numbers. */
  number: string | null;
  /** --public-url; null to use PUBLIC_URL. */
  publicUrl: string | null;
  dryRun: boolean;
}

/** What a connector may use of the outside world (a terminal, or a test's script). */
export interface ConnectIo {
  /** The settings: process.env, with ./.env already read into it by bin/nonmerci.js. */
  env: NodeJS.ProcessEnv;
  /** Folder of the .env file to write (the one the command reads). */
  cwd: string;
  /** True when a person can answer questions (standard input is a terminal). */
  interactive: boolean;
  print: (line: string) => void;
  warn: (line: string) => void;
  ask: (question: string, options?: { secret?: boolean }) => Promise<string>;
  /** Ends the questions (the terminal is given back). */
  close?: () => void;
  fetch?: typeof fetch;
}

/** One telephony provider's way of connecting a number; returns the exit code. */
export interface ProviderConnector {
  readonly name: string;
  readonly description: string;
  connect(options: ConnectOptions, io: ConnectIo): Promise<number>;
}

/** Dispatches on the provider's name; none or an unknown one lists the known ones (exit 2). */
export async function runConnect(
  provider: string | null,
  options: ConnectOptions,
  io: ConnectIo,
  connectors: readonly ProviderConnector[] = CONNECTORS,
): Promise<number> {
  const connector = connectors.find((c) => c.name === provider?.toLowerCase());
  if (connector)
    try {
      return await connector.connect(options, io);
    } finally {
      io.close?.();
    }
  io.warn(
    `${provider ? `nonmerci does not know how to connect "${provider}".` : 'Which provider?'} Write "nonmerci connect" followed by one of:`,
  );
  for (const c of connectors) io.warn(`  ${c.name.padEnd(8)} ${c.description}`);
  return 2;
}

/** The known connectors, in the order they are listed. */
export const CONNECTORS: readonly ProviderConnector[] = [
  connector(
    'twilio',
    'check the credentials, point a number at this hotline, write .env',
    twilioFlow,
  ),
  connector(
    'telnyx',
    'the same with a Telnyx number (TeXML application, messaging profile)',
    telnyxFlow,
  ),
  connector('vonage', 'the same with a Vonage number (linked to a Vonage application)', vonageFlow),
];

function connector<N extends AccountNumber>(
  name: string,
  description: string,
  flow: ProviderFlow<N>,
): ProviderConnector {
  return { name, description, connect: (options, io) => runFlow(flow, options, io) };
}

/**
 * Standard input and output; questions need a terminal, and secrets are not echoed. One readline
 * session serves every question, and lines typed or pasted ahead wait for the next question, unseen
 * (the second of two pasted lines may be the auth token).
 */
export function terminalIo(): ConnectIo {
  let echo = false;
  let session: Interface | null = null;
  const ahead: string[] = [];
  let waiting: { answer: (line: string) => void; cancel: () => void } | null = null;
  const open = (): Interface => {
    if (session) return session;
    // Typed characters reach the screen through this stream, only while a plain question waits.
    const output = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (echo) process.stdout.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    rl.on('line', (line) => {
      const w = waiting;
      waiting = null;
      if (w) w.answer(line);
      else ahead.push(line);
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      session = null;
      waiting?.cancel();
      waiting = null;
    });
    return (session = rl);
  };
  return {
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY),
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    ask: (question, options = {}) =>
      new Promise<string>((resolvePromise, reject) => {
        const rl = open();
        const typed = ahead.shift();
        if (typed !== undefined) {
          process.stdout.write(`${question}${options.secret ? '' : typed}\n`);
          return resolvePromise(typed);
        }
        waiting = {
          answer: (line) => {
            if (!echo) process.stdout.write('\n');
            echo = false;
            resolvePromise(line);
          },
          cancel: () => {
            process.stdout.write('\n');
            echo = false;
            reject(new NonmerciError('cancelled', 'Cancelled: nothing was changed.'));
          },
        };
        if (options.secret) process.stdout.write(question);
        else {
          echo = true;
          rl.setPrompt(question);
          rl.prompt();
        }
      }),
    close: () => {
      waiting = null;
      session?.close();
    },
  };
}
