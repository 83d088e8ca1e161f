import { ConfigError } from '../domain/errors.ts';
import { providerLabel, type ProviderName } from '../telephony/endpoints.ts';

/** Credentials of each real provider, as the adapters take them. */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  apiUrl: string;
}
export interface TelnyxSettings {
  apiKey: string;
  /** Base64 Ed25519 public key that checks webhook signatures. */
  publicKey: string;
  apiUrl: string;
}
export interface VonageSettings {
  /** Sends with an RS256 JWT of this application when set (with its private key)… */
  application: { id: string; privateKey: string } | null;
  /** …else with the account's key and secret (basic auth). */
  account: { apiKey: string; apiSecret: string } | null;
  signatureSecret: string;
  apiUrl: string;
}

export interface ProviderSettings {
  twilio: TwilioSettings | null;
  telnyx: TelnyxSettings | null;
  vonage: VonageSettings | null;
  /** Provider of the default line (HOTLINE_PROVIDER, or inferred from the credentials set). */
  defaultProvider: ProviderName;
}

type Values = Partial<Record<string, unknown>> & {
  [
    K in
      | 'TWILIO_ACCOUNT_SID'
      | 'TWILIO_AUTH_TOKEN'
      | 'TWILIO_API_URL'
      | 'TELNYX_API_KEY'
      | 'TELNYX_PUBLIC_KEY'
      | 'TELNYX_API_URL'
      | 'VONAGE_APPLICATION_ID'
      | 'VONAGE_PRIVATE_KEY'
      | 'VONAGE_API_KEY'
      | 'VONAGE_API_SECRET'
      | 'VONAGE_SIGNATURE_SECRET'
      | 'VONAGE_API_URL'
  ]?: string;
};

/** Each provider's settings, with the names that make a usable set. */
const SETS: { provider: Exclude<ProviderName, 'simulator'>; needs: string[][] }[] = [
  { provider: 'twilio', needs: [['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']] },
  { provider: 'telnyx', needs: [['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY']] },
  {
    provider: 'vonage',
    needs: [
      ['VONAGE_APPLICATION_ID', 'VONAGE_PRIVATE_KEY', 'VONAGE_SIGNATURE_SECRET'],
      ['VONAGE_API_KEY', 'VONAGE_API_SECRET', 'VONAGE_SIGNATURE_SECRET'],
    ],
  },
];

/**
 * Which providers are configured and which one the default line uses. A half-set provider, two
 * providers and no HOTLINE_PROVIDER, or a HOTLINE_PROVIDER without its credentials are errors that
 * say what to set; nothing set at all is the simulator.
 */
export function resolveProviders(
  s: Values,
  env: NodeJS.ProcessEnv,
  chosen: ProviderName | undefined,
  errors: ConfigError[],
): ProviderSettings {
  // Presence is read from the environment: a value set but malformed has its own error already.
  const set = (name: string) => Boolean(env[name]?.trim());
  const complete = new Set<string>();
  for (const { provider, needs } of SETS) {
    const names = [...new Set(needs.flat())];
    const given = names.filter(set);
    if (given.length === 0) continue;
    if (needs.some((group) => group.every(set))) {
      complete.add(provider);
      continue;
    }
    const closest = needs
      .map((group) => group.filter((n) => !set(n)))
      .sort((a, b) => a.length - b.length)[0]!;
    errors.push(
      new ConfigError(
        closest[0]!,
        `${providerLabel(provider)} needs ${needs.map((set) => set.join(' + ')).join(', or ')}; set ${closest.join(' and ')}, or unset ${given.join(', ')} to leave ${providerLabel(provider)} out`,
      ),
    );
  }
  // With an application, replies are sent with its key only: the account's key does not stand in.
  if (set('VONAGE_APPLICATION_ID') && !set('VONAGE_PRIVATE_KEY') && complete.has('vonage')) {
    complete.delete('vonage');
    errors.push(
      new ConfigError(
        'VONAGE_PRIVATE_KEY',
        "VONAGE_APPLICATION_ID is set, so replies are sent with that application's key: set VONAGE_PRIVATE_KEY to the path of its private.key file (or unset VONAGE_APPLICATION_ID to send with VONAGE_API_KEY and VONAGE_API_SECRET)",
      ),
    );
  }
  let defaultProvider: ProviderName = 'simulator';
  if (chosen !== undefined) {
    if (chosen !== 'simulator' && !complete.has(chosen))
      errors.push(
        new ConfigError(
          'HOTLINE_PROVIDER',
          `is ${chosen}, but ${providerLabel(chosen)}'s credentials are not all set (${SETS.find(
            (x) => x.provider === chosen,
          )!
            .needs.map((set) => set.join(' + '))
            .join(', or ')})`,
        ),
      );
    defaultProvider = chosen;
  } else if (complete.size > 1) {
    errors.push(
      new ConfigError(
        'HOTLINE_PROVIDER',
        `credentials of ${[...complete].map(providerLabel).join(' and ')} are set: say which provider the line uses, e.g. HOTLINE_PROVIDER=${[...complete][0]!}`,
      ),
    );
  } else if (complete.size === 1) defaultProvider = [...complete][0] as ProviderName;

  const has = (p: string) => complete.has(p);
  return {
    defaultProvider,
    twilio: has('twilio')
      ? {
          accountSid: s.TWILIO_ACCOUNT_SID!,
          authToken: s.TWILIO_AUTH_TOKEN!,
          apiUrl: s.TWILIO_API_URL ?? 'https://api.twilio.com',
        }
      : null,
    telnyx: has('telnyx')
      ? {
          apiKey: s.TELNYX_API_KEY!,
          publicKey: s.TELNYX_PUBLIC_KEY!,
          apiUrl: s.TELNYX_API_URL ?? 'https://api.telnyx.com',
        }
      : null,
    vonage: has('vonage')
      ? {
          application:
            s.VONAGE_APPLICATION_ID && s.VONAGE_PRIVATE_KEY
              ? { id: s.VONAGE_APPLICATION_ID, privateKey: s.VONAGE_PRIVATE_KEY }
              : null,
          account:
            s.VONAGE_API_KEY && s.VONAGE_API_SECRET
              ? { apiKey: s.VONAGE_API_KEY, apiSecret: s.VONAGE_API_SECRET }
              : null,
          signatureSecret: s.VONAGE_SIGNATURE_SECRET!,
          apiUrl: s.VONAGE_API_URL ?? 'https://api.nexmo.com',
        }
      : null,
  };
}
