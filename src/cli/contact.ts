import { randomUUID } from 'node:crypto';
import type { Config } from '../config/load.ts';
import { InvalidInputError, NonmerciError } from '../domain/errors.ts';
import { formatDuration } from '../domain/duration.ts';
import { classifyNumber, toE164 } from '../domain/phone.ts';
import type { ContactKind, Line } from '../domain/types.ts';
import { NumberVault } from '../privacy/number-vault.ts';
import { openStorage } from '../storage/db.ts';
import { NumberKeysRepo } from '../storage/number-keys-repo.ts';
import { LinesRepo } from '../storage/lines-repo.ts';
import { ReplyLookupRepo } from '../storage/reply-lookup-repo.ts';
import { assertSameSecret } from '../storage/secret-check.ts';
import { SimOutboxRepo } from '../storage/sim-outbox-repo.ts';
import {
  SIMULATOR_SIGNATURE_HEADER,
  simulatorSignature,
  simulatorSigningKey,
} from '../telephony/simulator/simulator.ts';
import type { VoiceAnswer } from '../telephony/provider.ts';
import { pickLines } from './operator.ts';

export interface ContactCommand {
  kind: ContactKind;
  from: string;
  body: string | null;
  line: string | null;
  wait: boolean;
}

type Print = (line: string) => void;

/** The server's own address, as this machine reaches it. */
export function localServerUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function pickLine(lines: Line[], wanted: string | null): Line {
  if (wanted) {
    const line = pickLines(lines, wanted)[0]!;
    if (line.provider !== 'simulator')
      throw new InvalidInputError(
        `Line ${line.number} uses ${line.provider}; "call" and "text" drive simulator lines only.`,
      );
    return line;
  }
  const simulated = lines.filter((l) => l.provider === 'simulator');
  if (simulated.length === 1) return simulated[0]!;
  if (simulated.length === 0)
    throw new InvalidInputError(
      'No simulator line exists. Start the server once without HOTLINE_NUMBER to get the demo line.',
    );
  throw new InvalidInputError(
    `Several simulator lines exist; choose one with --line (${simulated.map((l) => l.number).join(', ')}).`,
  );
}

/** How long the command waits for the server to record the contact before it looks for the reply. */
const RECORDING_WAIT_MS = 30_000;

/** Drives the simulated network: posts a signed webhook to the running server, then waits for the reply. */
export async function runContact(
  config: Config,
  cmd: ContactCommand,
  print: Print,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  const from = toE164(cmd.from, 'FR') ?? cmd.from;
  const storage = openStorage(config.database);
  try {
    const line = pickLine(await new LinesRepo(storage.db).list().catch(() => []), cmd.line);
    const vault = new NumberVault(config.secret, { keys: new NumberKeysRepo(storage.db) });
    await assertSameSecret(storage.db, vault);
    await vault.reload();
    const server = localServerUrl(config);
    const sid = `SIM${cmd.kind === 'call' ? 'CA' : 'SM'}${randomUUID().replaceAll('-', '')}`;
    const params = new URLSearchParams({
      Sid: sid,
      From: from,
      To: line.number,
    });
    if (cmd.body !== null) params.set('Body', cmd.body);
    const raw = params.toString();
    const started = Date.now();
    let response: Response;
    try {
      const path = `/webhooks/simulator/${cmd.kind === 'call' ? 'voice' : 'sms'}`;
      response = await fetch(`${server}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          [SIMULATOR_SIGNATURE_HEADER]: simulatorSignature(
            simulatorSigningKey(config.secret),
            path,
            raw,
          ),
        },
        body: raw,
      });
    } catch {
      throw new NonmerciError(
        'server_unreachable',
        `No nonmerci server answers at ${server}. Start it with "npm start" in another terminal, with the same settings.`,
      );
    }
    const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok)
      throw new NonmerciError(
        'refused',
        `The server refused the ${cmd.kind}: ${typeof payload.message === 'string' ? payload.message : response.status}`,
      );
    if (cmd.kind === 'call') {
      const answer = payload as unknown as VoiceAnswer;
      if (answer.kind === 'reject')
        print(
          `☎  ${line.number} rejected the call (free for the caller's number, nothing billed).`,
        );
      else if (answer.kind === 'play')
        print(`☎  ${line.number} answers with the recording ${answer.url}, then hangs up.`);
      else print(`☎  ${line.number} answers (${answer.speechLanguage}): «${answer.text}»`);
    } else {
      print(`✉  Text delivered to ${line.number}.`);
    }
    if (!cmd.wait) return 0;

    const replies = new ReplyLookupRepo(storage.db);
    const outbox = new SimOutboxRepo(storage.db, vault);
    const index = vault.blindIndex(classifyNumber(from).normalized);
    // The server answers once the message is in its intake log, and records it (the reply
    // included) a moment later; during a flood, once the flood slows.
    for (let waited = 0; !(await replies.recorded('simulator', sid)); waited += 200) {
      if (waited >= RECORDING_WAIT_MS) {
        print(
          `…  The server took the ${cmd.kind} but has not recorded it after ${formatDuration(RECORDING_WAIT_MS)}: it is busy with other contacts. Its reply will show on the dashboard.`,
        );
        return 0;
      }
      await sleep(200);
    }
    let announced = false;
    for (;;) {
      const reply = await replies.latestFor(line.id, index);
      if (!reply) {
        print('No reply is scheduled for this caller.');
        return 0;
      }
      if (reply.createdAt < started - 1000) {
        const when = new Date(reply.createdAt).toISOString().replace('T', ' ').slice(0, 16);
        print(
          `✗  No new SMS: cooldown. This caller already has a reply from this line (${reply.state}, scheduled ${when} UTC); one reply per caller every ${formatDuration(line.cooldownMs)}.`,
        );
        return 0;
      }
      if (!announced) {
        const wait = reply.dueAt - Date.now();
        print(
          wait > 0
            ? `…  The reply is decided in ${formatDuration(Math.ceil(wait / 1000) * 1000)} (line delay ${formatDuration(line.delayMs)}). Waiting; Ctrl+C stops waiting.`
            : '…  Waiting for the reply.',
        );
        announced = true;
      }
      if (reply.state === 'sent') {
        const [sms] = (await outbox.listTo(from, reply.createdAt)).slice(-1);
        print(
          `📱 SMS from ${line.number} after ${formatDuration(Math.round((Date.now() - started) / 1000) * 1000)}: «${sms?.body ?? reply.body ?? ''}»`,
        );
        return 0;
      }
      if (reply.state === 'cancelled' || reply.state === 'failed') {
        print(`✗  No SMS: ${reply.reason}${reply.detail ? ` (${reply.detail})` : ''}.`);
        return 0;
      }
      if (reply.reason && reply.reason !== 'provider_retry' && reply.dueAt < Date.now() - 5000) {
        print(`…  Reply held: ${reply.reason}${reply.detail ? ` (${reply.detail})` : ''}.`);
        return 0;
      }
      await sleep(500);
    }
  } finally {
    await storage.close();
  }
}
