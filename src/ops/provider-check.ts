import type { Config } from '../config/load.ts';
import { NonmerciError } from '../domain/errors.ts';
import { toE164 } from '../domain/phone.ts';
import { isProviderName } from '../telephony/endpoints.ts';
import { TelnyxAccount } from '../telephony/telnyx/account.ts';
import { TwilioAccount } from '../telephony/twilio/account.ts';
import { VonageAccount } from '../telephony/vonage/account.ts';
import { providerChecks, type Check, type ProviderView, type WebhookSetting } from './checks.ts';

/**
 * A line as its provider sees it: the credentials are accepted, the number is on the account, and
 * its webhooks point at PUBLIC_URL's addresses for that provider. Behind `nonmerci doctor` and the
 * dashboard's "check" button of a line. Reads only: nothing is changed at the provider.
 */
export async function checkLineAtProvider(
  config: Config,
  line: { number: string; provider: string },
): Promise<Check[]> {
  // A number written the French way (09 39 …) is read as the other commands read it.
  const number = toE164(line.number, 'FR') ?? line.number;
  if (line.provider === 'simulator')
    return [
      {
        id: 'provider',
        ok: true,
        message: `${number} runs on the simulated phone network: there is no provider account to check, and nothing is sent for real.`,
        fix: null,
      },
    ];
  return providerView(config, line.provider, number).then((view) =>
    'checks' in view ? view.checks : providerChecks(view, config.publicUrl),
  );
}

/**
 * Doctor's provider checks: every configured provider's credentials, and the default line's number
 * and webhooks at its provider. Other providers' checks carry the provider in their ids
 * (telnyx_credentials), so that each id appears once.
 */
export async function configuredProviderChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const line = config.hotline;
  for (const provider of ['twilio', 'telnyx', 'vonage'] as const) {
    if (!config[provider]) continue;
    if (provider === line.provider && line.number) {
      checks.push(...(await checkLineAtProvider(config, { number: line.number, provider })));
      continue;
    }
    const view = await providerView(config, provider, null);
    const ids =
      provider === line.provider
        ? undefined
        : { credentials: `${provider}_credentials`, webhooks: `${provider}_webhooks` };
    if ('checks' in view) checks.push(...view.checks);
    else {
      const all = providerChecks({ ...view, ...(ids && { ids }) }, config.publicUrl);
      // A provider no line of the settings uses: its credentials only.
      checks.push(...(provider === line.provider ? all : all.slice(0, 1)));
    }
  }
  return checks;
}

type Reading = ProviderView | { checks: Check[] };

/** Reads the account and, when given, the number's webhooks; errors become the view's reason. */
async function providerView(
  config: Config,
  provider: string,
  number: string | null,
): Promise<Reading> {
  const view = (
    webhooks: ProviderView['webhooks'],
    error: NonmerciError | string | null = null,
  ): ProviderView => ({
    provider,
    error: error instanceof NonmerciError ? error.message : error,
    ...(error instanceof NonmerciError ? { errorCode: error.code } : {}),
    number,
    webhooks,
  });
  if (!isProviderName(provider))
    return {
      checks: [
        {
          id: 'provider_credentials',
          ok: false,
          message: `nonmerci does not know the provider "${provider}".`,
          fix: 'Choose twilio, telnyx, vonage or simulator for this line.',
        },
      ],
    };
  if (provider !== 'simulator' && !config[provider])
    return {
      checks: [
        {
          id: 'provider_credentials',
          ok: false,
          reason: 'no_credentials',
          message: `${number ?? 'This line'} uses ${provider}, but no ${provider} credentials are set.`,
          fix: `Run "npx nonmerci connect ${provider}", then restart nonmerci.`,
        },
      ],
    };
  try {
    switch (provider) {
      case 'twilio':
        return view(await twilioWebhooks(config, number));
      case 'telnyx':
        return view(await telnyxWebhooks(config, number));
      case 'vonage':
        return await vonageReading(config, number, view);
      default:
        return view(null);
    }
  } catch (error) {
    return view(null, error instanceof NonmerciError ? error : String(error));
  }
}

type Webhooks = Record<string, WebhookSetting> | null;

/** Calls and texts are set on the number; delivery reports are named by each reply. */
async function twilioWebhooks(config: Config, number: string | null): Promise<Webhooks> {
  const account = new TwilioAccount(config.twilio!);
  await account.verify();
  if (!number) return null;
  const found = (await account.numbers()).find((n) => n.phoneNumber === number);
  return found ? { voice: { url: found.voiceUrl }, sms: { url: found.smsUrl } } : null;
}

/** Calls: the voice URL of the number's TeXML application; texts: its messaging profile's webhook. */
async function telnyxWebhooks(config: Config, number: string | null): Promise<Webhooks> {
  const account = new TelnyxAccount(config.telnyx!);
  await account.verify();
  if (!number) return null;
  const found = (await account.numbers()).find((n) => n.phoneNumber === number);
  if (!found) return null;
  const app = found.connectionId ? await account.texmlApplication(found.connectionId) : null;
  const profile = found.messagingProfileId
    ? await account.messagingProfile(found.messagingProfileId)
    : null;
  return {
    voice: { url: app?.voiceUrl ?? null, method: app?.voiceMethod ?? null },
    messaging: { url: profile?.webhookUrl ?? null },
  };
}

/** The four webhooks of the application the number is linked to; they need the API key. */
async function vonageReading(
  config: Config,
  number: string | null,
  view: (webhooks: Webhooks) => ProviderView,
): Promise<Reading> {
  const settings = config.vonage!;
  if (!settings.account)
    return {
      checks: [
        {
          id: 'provider_credentials',
          ok: true,
          message:
            "Vonage sends with the application's key; its webhooks cannot be checked without the account's API key and secret.",
          fix: `Set VONAGE_API_KEY and VONAGE_API_SECRET to have them checked, or check in the Vonage dashboard ("Applications" › the application › "Edit") that they point at ${config.publicUrl}/webhooks/vonage/… with HTTP POST.`,
        },
      ],
    };
  const account = new VonageAccount({ ...settings.account, apiUrl: settings.apiUrl });
  const numbers = await account.numbers();
  if (!number) return view(null);
  const found = numbers.find((n) => n.phoneNumber === number);
  if (!found) return view(null);
  const app = found.appId ? await account.application(found.appId) : null;
  const hooks = app?.webhooks;
  const setting = (name: keyof NonNullable<typeof hooks>): WebhookSetting => ({
    url: hooks?.[name].address ?? null,
    method: hooks?.[name].method ?? null,
  });
  return view({
    answer: setting('answer'),
    event: setting('event'),
    inbound: setting('inbound'),
    status: setting('status'),
  });
}
