import type { SettingValues } from '../config/schema.ts';
import { NonmerciError } from '../domain/errors.ts';
import { webhookAddresses } from '../telephony/endpoints.ts';
import {
  VonageAccount,
  type VonageNumber,
  type VonageWebhooks,
} from '../telephony/vonage/account.ts';
import type { ConnectIo } from './connect.ts';
import { abilities, lacks } from './connect-twilio.ts';
import {
  addressOf,
  arrow,
  askSettings,
  type AccountNumber,
  type ProviderFlow,
} from './connect-flow.ts';

/**
 * `nonmerci connect vonage`: a Vonage number takes the webhooks of the application it is linked to
 * (answer and event URLs for calls, inbound and status URLs for texts). Linking the number and
 * setting the application's webhooks need the account's API key and secret; with only the
 * application's id and private key, the command prints the addresses to paste in the dashboard.
 */
type Listed = AccountNumber & { number: VonageNumber };

const DASHBOARD = 'https://dashboard.nexmo.com';

/** Nonmerci's endpoint names, as the dashboard labels the fields of an application. */
const FIELDS: Record<keyof VonageWebhooks, string> = {
  answer: 'Voice › Answer URL',
  event: 'Voice › Event URL',
  inbound: 'Messages › Inbound URL',
  status: 'Messages › Status URL',
};

/** The addresses to paste in the dashboard, one per field, all HTTP POST. */
function pasteList(publicUrl: string): string[] {
  return webhookAddresses(publicUrl, 'vonage').map(
    (a) => `    ${FIELDS[a.name as keyof VonageWebhooks].padEnd(24)} ${a.url}  (HTTP POST)`,
  );
}

/**
 * Application credentials alone cannot change anything: says what to set, and what to paste
 * instead. Exit code 2, nothing changed.
 */
function withoutAccountKey(settings: SettingValues, io: ConnectIo, publicUrl: string): number {
  io.warn(
    `To set the webhooks and link the number, "nonmerci connect vonage" needs the account's API key and secret, which an application's private key does not replace: set VONAGE_API_KEY and VONAGE_API_SECRET (${DASHBOARD}, "API settings") in .env and run this again, or run it in a terminal to type them.`,
  );
  io.warn(
    `Or do it yourself in the dashboard: "Applications" › ${settings.VONAGE_APPLICATION_ID ? `the application ${settings.VONAGE_APPLICATION_ID}` : 'your application'} › "Edit", paste these addresses and save:`,
  );
  for (const line of pasteList(publicUrl)) io.warn(line);
  io.warn(
    '  then, on the same page, "Link" the hotline\'s number, and set HOTLINE_NUMBER and HOTLINE_PROVIDER=vonage in .env. Nothing was changed.',
  );
  return 2;
}

export const vonageFlow: ProviderFlow<Listed> = {
  name: 'vonage',
  label: 'Vonage',
  buyNumber: `buy a 09 number with voice and SMS in the Vonage dashboard (${DASHBOARD}, "Numbers" › "Buy numbers")`,
  async open(settings, io, publicUrl) {
    const hasKey = Boolean(settings.VONAGE_API_KEY && settings.VONAGE_API_SECRET);
    if (!hasKey && settings.VONAGE_APPLICATION_ID && !io.interactive)
      return withoutAccountKey(settings, io, publicUrl);
    if (!hasKey && settings.VONAGE_APPLICATION_ID)
      io.print(
        "Setting the webhooks and linking the number needs the account's API key and secret, besides the application.",
      );
    const creds = await askSettings(
      io,
      settings,
      'Vonage',
      [
        { name: 'VONAGE_API_KEY', question: 'Vonage API key: ' },
        {
          name: 'VONAGE_API_SECRET',
          question: 'Vonage API secret (not shown as you type): ',
          secret: true,
        },
        { name: 'VONAGE_APPLICATION_ID', question: 'Vonage application id (a UUID): ' },
        {
          name: 'VONAGE_PRIVATE_KEY',
          question: "Path of the application's private.key file (it signs the replies): ",
          asTyped: true,
        },
        {
          name: 'VONAGE_SIGNATURE_SECRET',
          question: 'Vonage signature secret (not shown as you type): ',
          secret: true,
        },
      ],
      `the API key, API secret and signature secret are under "API settings", and the application id under "Applications", on ${DASHBOARD}; the private.key file is the one the dashboard gave you when the application was created (or "Generate new key pair" on its page)`,
    );
    const account = new VonageAccount({
      apiKey: creds.VONAGE_API_KEY!,
      apiSecret: creds.VONAGE_API_SECRET!,
      apiUrl: settings.VONAGE_API_URL ?? 'https://api.nexmo.com',
      ...(io.fetch && { fetch: io.fetch }),
    });
    const all = await account.numbers();
    const appId = creds.VONAGE_APPLICATION_ID!;
    const app = await account.application(appId);
    if (!app)
      throw new NonmerciError(
        'provider_application',
        `Vonage accepted the API key, but the application ${appId} (VONAGE_APPLICATION_ID) is not one of this account's. In the dashboard (${DASHBOARD}), "Applications", copy the id of the hotline's application, or create one with Voice and Messages, then run this again. Nothing was changed.`,
      );
    io.print(
      `✓ Vonage accepted the API key ${creds.VONAGE_API_KEY!}; the application is "${app.name}".`,
    );
    const numbers = all.map((n) => ({
      number: n,
      phoneNumber: n.phoneNumber,
      abilities: abilities(n.voice, n.sms),
      where: `linked to: ${n.appId === app.id ? `"${app.name}"` : (n.appId ?? '(no application)')}`,
      lacks: lacks(n.voice, n.sms),
    }));
    return {
      numbers,
      settings: creds,
      plan: (chosen, url) => {
        const n = chosen.number;
        const addresses = Object.fromEntries(
          (Object.keys(FIELDS) as (keyof VonageWebhooks)[]).map((name) => [
            name,
            addressOf(url, 'vonage', name),
          ]),
        ) as Record<keyof VonageWebhooks, string>;
        const changes = (Object.keys(FIELDS) as (keyof VonageWebhooks)[]).map((name) => {
          const now = app.webhooks[name];
          return `${`${FIELDS[name]}:`.padEnd(25)} ${arrow(now.address, addresses[name], now.method)}`;
        });
        changes.push(
          `${'number linked to:'.padEnd(25)} ${n.appId === app.id ? `"${app.name}" (unchanged)` : `${n.appId ?? '(no application)'} → "${app.name}" (${app.id})`}`,
        );
        const others = all.filter((o) => o !== n && o.appId === app.id).map((o) => o.phoneNumber);
        return Promise.resolve({
          changes,
          manual: [],
          warnings: others.length
            ? [
                `The application "${app.name}" is also linked to ${others.join(', ')}: their calls and texts will come to this hotline too, which answers only the numbers it carries. Link them to another application in the dashboard if they must go elsewhere.`,
              ]
            : [],
          apply: async () => {
            const names = Object.keys(FIELDS) as (keyof VonageWebhooks)[];
            const set = (name: keyof VonageWebhooks) =>
              app.webhooks[name].address === addresses[name] &&
              app.webhooks[name].method?.toUpperCase() === 'POST';
            if (!names.every(set)) await account.setWebhooks(app, addresses);
            if (n.appId !== app.id) await account.link(n, app.id);
          },
        });
      },
    };
  },
};
