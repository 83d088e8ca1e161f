import type { Config } from '../config/load.ts';
import type { TelephonyProvider } from './provider.ts';
import { MAX_TIMEOUT_MS } from './send-api.ts';
import { SimulatorProvider, type SimulatorOptions } from './simulator/simulator.ts';
import { TelnyxProvider } from './telnyx/telnyx.ts';
import { TwilioProvider } from './twilio/twilio.ts';
import { VonageProvider } from './vonage/vonage.ts';

/**
 * The explicit list of providers. The simulator is always there (demo and test lines); each real
 * provider is added when its credentials are set, so lines on several providers can live side by side.
 */
export function createProviders(
  config: Config,
  deps: { simulator: SimulatorOptions },
): Map<string, TelephonyProvider> {
  const providers = new Map<string, TelephonyProvider>();
  providers.set('simulator', new SimulatorProvider(deps.simulator));
  // A provider call must end well inside the worker's lease, or another worker could take the
  // reply over while the call is still in flight.
  const timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.floor(config.workerLeaseMs / 3));
  if (config.twilio) providers.set('twilio', new TwilioProvider(config.twilio, timeoutMs));
  if (config.telnyx) providers.set('telnyx', new TelnyxProvider(config.telnyx, timeoutMs));
  if (config.vonage) providers.set('vonage', new VonageProvider(config.vonage, timeoutMs));
  return providers;
}
