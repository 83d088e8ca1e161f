import type { Logger } from 'pino';
import { deliveryMeaning } from '../domain/delivery.ts';
import type { DeliveryStatus, TelephonyProvider } from '../telephony/provider.ts';

export interface StatusUpdate {
  provider: string;
  sid: string;
  idempotencyKey: string | null;
  status: string;
  errorCode: string | null;
  final: boolean;
  /** Charge to commit once final: a price, the reserved estimate, or nothing. */
  charge: { kind: 'price'; micros: number } | { kind: 'estimate' } | { kind: 'none' };
}

export interface DeliveryStore {
  /** Records a status on the matching reply and settles its budget; false when no reply matches. */
  applyStatus(update: StatusUpdate): Promise<boolean>;
}

/** Turns a provider's status callback into delivery status and settled spend. */
export class DeliveryService {
  readonly #store: DeliveryStore;
  readonly #log: Logger;
  constructor(store: DeliveryStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  async record(provider: TelephonyProvider, status: DeliveryStatus): Promise<boolean> {
    const meaning = deliveryMeaning(status.status);
    let charge: StatusUpdate['charge'] = { kind: 'none' };
    if (meaning.final && meaning.charged) {
      let price = status.priceMicros;
      if (price === null) {
        price = await provider.fetchPrice(status.sid).catch((error: unknown) => {
          this.#log.warn(
            { sid: status.sid, err: (error as Error).message },
            'could not fetch the price of a message; keeping the estimate',
          );
          return null;
        });
      }
      charge = price === null ? { kind: 'estimate' } : { kind: 'price', micros: price };
    }
    const found = await this.#store.applyStatus({
      provider: provider.name,
      sid: status.sid,
      idempotencyKey: status.idempotencyKey,
      status: status.status,
      errorCode: status.errorCode,
      final: meaning.final,
      charge,
    });
    if (!found)
      this.#log.warn(
        { sid: status.sid, status: status.status },
        'status callback for an unknown message ignored',
      );
    return found;
  }
}
