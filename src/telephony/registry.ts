import type { Config } from '../config/load.ts';
import type { TelephonyProvider } from './provider.ts';
import { SimulatorProvider, type SimulatorOptions } from './simulator/simulator.ts';
import { MAX_TIMEOUT_MS } from './twilio/messages-api.ts';
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
  if (config.twilio) {
    // A provider call must end well inside the worker's lease, or another worker could take the
    // reply over while the call is still in flight.
    const timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.floor(config.workerLeaseMs / 3));
    providers.set('twilio', new TwilioProvider(config.twilio, timeoutMs));
  }
  return providers;
}
