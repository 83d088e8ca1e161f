import { NonmerciError } from '../domain/errors.ts';
import { TwilioAccount, type TwilioNumber } from '../telephony/twilio/account.ts';
import {
  addressOf,
  arrow,
  askSettings,
  type AccountNumber,
  type ProviderFlow,
} from './connect-flow.ts';

/**
 * `nonmerci connect twilio`: the number's own settings hold its three webhooks (calls, texts, call
 * status), all set through the API.
 */
type Listed = AccountNumber & { number: TwilioNumber };

/** What a number can do, in words. */
export function abilities(voice: boolean, sms: boolean): string {
  if (voice && sms) return 'voice and SMS';
  if (voice || sms) return voice ? 'voice only' : 'SMS only';
  return 'no voice, no SMS';
}

/** What a number lacks that the hotline needs, as "cannot …" phrases. */
export function lacks(voice: boolean, sms: boolean): string[] {
  return [
    voice ? null : 'receive calls (no voice capability)',
    sms ? null : 'send or receive texts (no SMS capability)',
  ].filter((x) => x !== null);
}

export const twilioFlow: ProviderFlow<Listed> = {
  name: 'twilio',
  label: 'Twilio',
  buyNumber:
    'buy a 09 number with voice and SMS in the Twilio console (Phone Numbers › Buy a number)',
  async open(settings, io) {
    const creds = await askSettings(
      io,
      settings,
      'Twilio',
      [
        { name: 'TWILIO_ACCOUNT_SID', question: 'Twilio Account SID (AC…): ' },
        {
          name: 'TWILIO_AUTH_TOKEN',
          question: 'Twilio Auth token (not shown as you type): ',
          secret: true,
        },
      ],
      'copy them from https://console.twilio.com, "Account info"',
    );
    const accountSid = creds.TWILIO_ACCOUNT_SID!;
    const account = new TwilioAccount({
      accountSid,
      authToken: creds.TWILIO_AUTH_TOKEN!,
      apiUrl: settings.TWILIO_API_URL ?? 'https://api.twilio.com',
      ...(io.fetch && { fetch: io.fetch }),
    });
    const info = await account.verify();
    if (info.status === 'suspended' || info.status === 'closed')
      throw new NonmerciError(
        'provider_account',
        `The Twilio account "${info.friendlyName}" (${accountSid}) is ${info.status}: it can neither take calls nor send texts. Reactivate it in the Twilio console, or use another account. Nothing was changed.`,
      );
    io.print(`✓ Twilio accepted the credentials of "${info.friendlyName}" (${accountSid}).`);
    const numbers = (await account.numbers()).map((n) => ({
      number: n,
      phoneNumber: n.phoneNumber,
      label: n.friendlyName,
      abilities: abilities(n.capabilities.voice, n.capabilities.sms),
      where: `calls go to: ${n.voiceUrl ?? '(nowhere yet)'}`,
      lacks: lacks(n.capabilities.voice, n.capabilities.sms),
    }));
    return {
      numbers,
      settings: creds,
      plan: (chosen, publicUrl) => {
        const n = chosen.number;
        const urls = {
          voiceUrl: addressOf(publicUrl, 'twilio', 'voice'),
          smsUrl: addressOf(publicUrl, 'twilio', 'sms'),
          statusCallback: addressOf(publicUrl, 'twilio', 'status'),
        };
        return Promise.resolve({
          changes: [
            `a call comes in:    ${arrow(n.voiceUrl, urls.voiceUrl)}`,
            `a message comes in: ${arrow(n.smsUrl, urls.smsUrl)}`,
            `call status:        ${arrow(n.statusCallback, urls.statusCallback)}`,
          ],
          manual: [],
          warnings: [],
          apply: async () => void (await account.configure(n.sid, urls)),
        });
      },
    };
  },
};
