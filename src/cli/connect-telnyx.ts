import { TelnyxAccount, type TelnyxNumber } from '../telephony/telnyx/account.ts';
import {
  addressOf,
  arrow,
  askSettings,
  type AccountNumber,
  type ConnectPlan,
  type ProviderFlow,
} from './connect-flow.ts';

/**
 * `nonmerci connect telnyx`: a Telnyx number's calls go to its connection (a TeXML application
 * holds the voice URL) and its texts to its messaging profile (which holds the webhook). Both are
 * set through the API when the number has them; otherwise the operator is told what to create in
 * the portal, and where.
 */
type Listed = AccountNumber & { number: TelnyxNumber };

const PORTAL = 'https://portal.telnyx.com';

/** Other numbers sharing a connection or profile: they will come to the hotline too. */
function sharedWith(numbers: TelnyxNumber[], chosen: TelnyxNumber, key: keyof TelnyxNumber) {
  return numbers.filter((n) => n !== chosen && n[key] === chosen[key]).map((n) => n.phoneNumber);
}

export const telnyxFlow: ProviderFlow<Listed> = {
  name: 'telnyx',
  label: 'Telnyx',
  buyNumber: `buy a 09 number with voice and SMS in the Telnyx portal (${PORTAL}, "Numbers" › "Search & Buy Numbers")`,
  async open(settings, io) {
    const creds = await askSettings(
      io,
      settings,
      'Telnyx',
      [
        {
          name: 'TELNYX_API_KEY',
          question: 'Telnyx API key (KEY…, not shown as you type): ',
          secret: true,
        },
        {
          name: 'TELNYX_PUBLIC_KEY',
          question: 'Telnyx public key (44 characters ending with "="): ',
        },
      ],
      `the API key is under "API Keys" and the public key under "Keys & Credentials" › "Public Key" on ${PORTAL}`,
    );
    const account = new TelnyxAccount({
      apiKey: creds.TELNYX_API_KEY!,
      apiUrl: settings.TELNYX_API_URL ?? 'https://api.telnyx.com',
      ...(io.fetch && { fetch: io.fetch }),
    });
    const { balance } = await account.verify();
    io.print(`✓ Telnyx accepted the API key${balance ? ` (balance ${balance})` : ''}.`);
    const all = await account.numbers();
    const numbers = all.map((n) => ({
      number: n,
      phoneNumber: n.phoneNumber,
      abilities: [
        n.connectionId ? 'voice' : 'no voice',
        n.messagingProfileId ? 'SMS' : 'no SMS',
      ].join(', '),
      where: `connection: ${n.connectionId ?? '(none)'}, messaging profile: ${n.messagingProfileId ?? '(none)'}`,
      // Both can be given in the portal: said by the plan rather than refused.
      lacks: [],
    }));
    return {
      numbers,
      settings: creds,
      plan: async (chosen, publicUrl) => {
        const n = chosen.number;
        const voiceUrl = addressOf(publicUrl, 'telnyx', 'voice');
        const messagingUrl = addressOf(publicUrl, 'telnyx', 'messaging');
        const plan: ConnectPlan & { steps: (() => Promise<unknown>)[] } = {
          changes: [],
          manual: [],
          warnings: [],
          steps: [],
          apply: async () => {
            for (const step of plan.steps) await step();
          },
        };
        const app = n.connectionId ? await account.texmlApplication(n.connectionId) : null;
        if (app) {
          plan.changes.push(
            `a call comes in (TeXML application "${app.friendlyName}"): ${arrow(app.voiceUrl, voiceUrl, app.voiceMethod)}`,
          );
          if (app.voiceUrl !== voiceUrl || app.voiceMethod !== 'post')
            plan.steps.push(() => account.setVoiceUrl(app, voiceUrl));
          const others = sharedWith(all, n, 'connectionId');
          if (others.length)
            plan.warnings.push(
              `The TeXML application "${app.friendlyName}" also takes the calls of ${others.join(', ')}: they will come to this hotline too, which answers only the numbers it carries. Give them another connection in the portal if they must go elsewhere.`,
            );
        } else
          plan.manual.push(
            `${n.connectionId ? `Calls to ${n.phoneNumber} go to connection ${n.connectionId}, which is not a TeXML application` : `${n.phoneNumber} has no connection for its calls`}. In the portal (${PORTAL}), "Voice" › "Programmable Voice" › "TeXML Applications", create an application with Voice URL ${voiceUrl} and method POST; then, in "Numbers" › "My Numbers", choose it as the connection of ${n.phoneNumber}.`,
          );
        const profile = n.messagingProfileId
          ? await account.messagingProfile(n.messagingProfileId)
          : null;
        if (profile) {
          plan.changes.push(
            `texts and delivery reports (messaging profile "${profile.name}"): ${arrow(profile.webhookUrl, messagingUrl)}`,
          );
          if (profile.webhookUrl !== messagingUrl || profile.webhookApiVersion !== '2')
            plan.steps.push(() => account.setMessagingWebhook(profile.id, messagingUrl));
          const others = sharedWith(all, n, 'messagingProfileId');
          if (others.length)
            plan.warnings.push(
              `The messaging profile "${profile.name}" also takes the texts of ${others.join(', ')}: they will come to this hotline too, which answers only the numbers it carries. Give them another messaging profile in the portal if they must go elsewhere.`,
            );
        } else
          plan.manual.push(
            `${n.phoneNumber} has no messaging profile, so it can neither receive nor send texts. In the portal (${PORTAL}), "Messaging" › "Messaging Profiles", create a profile whose inbound webhook URL is ${messagingUrl} (API version 2); then, in "Numbers" › "My Numbers", choose it as the messaging profile of ${n.phoneNumber}.`,
          );
        return plan;
      },
    };
  },
};
