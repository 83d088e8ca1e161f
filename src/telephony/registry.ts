import type { Config } from '../config/load.ts';
import type { TelephonyProvider } from './provider.ts';
import { SimulatorProvider, type SimulatorOptions } from './simulator/simulator.ts';
import { TwilioProvider } from './twilio/twilio.ts';

/**
 * The explicit list of providers. The simulator is always there (demo and test lines); Twilio is
 * added when its credentials are set.
 */
export function createProviders(
  config: Config,
  deps: { simulator: SimulatorOptions },
): Map<string, TelephonyProvider> {
  const providers = new Map<string, TelephonyProvider>();
  providers.set('simulator', new SimulatorProvider(deps.simulator));
  if (config.twilio) providers.set('twilio', new TwilioProvider(config.twilio));
  return providers;
}
