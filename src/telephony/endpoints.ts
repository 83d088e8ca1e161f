/**
 * The webhook addresses of every provider, in one table: the route table serves each of them at
 * /webhooks/{provider}/{name}, the dashboard and `nonmerci connect` show them, and each adapter's
 * `read` gives the request's meaning. Addresses are pasted into provider consoles: keep them stable.
 */

export const PROVIDER_NAMES = ['twilio', 'telnyx', 'vonage', 'simulator'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** A provider's name as its company writes it: Twilio, Telnyx, Vonage. */
export function providerLabel(provider: string): string {
  return provider === '' ? provider : provider[0]!.toUpperCase() + provider.slice(1);
}

export function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}

/**
 * What an address is for, which is what the operator's provider console calls it:
 * - voice: a call arrives (answered with the voice message);
 * - sms: a text arrives;
 * - messaging: texts arrive and delivery reports of our replies come back, in one address;
 * - status: delivery reports of our replies;
 * - call_events: a call's progress (acknowledged, not recorded).
 */
export type EndpointPurpose = 'voice' | 'sms' | 'messaging' | 'status' | 'call_events';

/** What arrives at an address, in the words of the command line and `doctor` (English). */
export const ARRIVALS: Record<EndpointPurpose, string> = {
  voice: 'calls',
  sms: 'texts',
  messaging: 'texts and delivery reports',
  status: 'delivery reports',
  call_events: 'call events',
};

export interface WebhookEndpoint {
  /** Last segment of the path. */
  name: string;
  purpose: EndpointPurpose;
  methods: readonly ('GET' | 'POST')[];
  /** How a POST to it is encoded. */
  body: 'form' | 'json';
}

const form = (name: string, purpose: EndpointPurpose): WebhookEndpoint => ({
  name,
  purpose,
  methods: ['POST'],
  body: 'form',
});
const json = (name: string, purpose: EndpointPurpose): WebhookEndpoint => ({
  name,
  purpose,
  methods: ['POST'],
  body: 'json',
});

export const WEBHOOK_ENDPOINTS: Record<ProviderName, readonly WebhookEndpoint[]> = {
  twilio: [form('voice', 'voice'), form('sms', 'sms'), form('status', 'status')],
  // TeXML (Twilio-like form fields) for calls; the Messaging API's JSON events for texts and reports.
  telnyx: [form('voice', 'voice'), json('messaging', 'messaging')],
  // Voice API: the answer URL (GET by default, or POST with JSON) and call events; Messages API:
  // inbound texts and message status, all JSON.
  vonage: [
    { name: 'answer', purpose: 'voice', methods: ['GET', 'POST'], body: 'json' },
    json('event', 'call_events'),
    json('inbound', 'sms'),
    json('status', 'status'),
  ],
  simulator: [form('voice', 'voice'), form('sms', 'sms'), form('status', 'status')],
};

export interface WebhookAddress {
  name: string;
  purpose: EndpointPurpose;
  url: string;
}

/** The addresses to give a provider, under this server's public URL. */
export function webhookAddresses(publicUrl: string, provider: string): WebhookAddress[] {
  if (!isProviderName(provider)) return [];
  return WEBHOOK_ENDPOINTS[provider].map((e) => ({
    name: e.name,
    purpose: e.purpose,
    url: `${publicUrl}/webhooks/${provider}/${e.name}`,
  }));
}
