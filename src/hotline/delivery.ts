import type { Logger } from 'pino';
import { deliveryMeaning } from '../domain/delivery.ts';
import { MICROS } from '../domain/types.ts';
import type { DeliveryStatus, TelephonyProvider } from '../telephony/provider.ts';

export interface StatusUpdate {
  provider: string;
  sid: string;
  idempotencyKey: string | null;
  status: string;
  errorCode: string | null;
  final: boolean;
  /** A price in another currency than the caps', kept as reported ("0.0040 USD"). */
  reportedPrice: string | null;
  /** Charge to commit once final: a price, the reserved estimate, or nothing. */
  charge: { kind: 'price'; micros: number } | { kind: 'estimate' } | { kind: 'none' };
}

export interface DeliveryStore {
  /** Records a status on the matching reply and settles its budget; false when no reply matches. */
  applyStatus(update: StatusUpdate): Promise<boolean>;
}

/**
 * Turns a provider's status callback into delivery status and settled spend. The callback is
 * answered at once: a message's price is used when the callback carries one in the caps' currency;
 * otherwise the reserved estimate (segments × SMS_SEGMENT_PRICE) is committed, which is why that
 * price should be an upper bound of what the provider charges. A price in another currency is
 * not converted (no exchange rate is trusted here): it is kept as reported, and shown.
 */
export class DeliveryService {
  readonly #store: DeliveryStore;
  readonly #log: Logger;
  readonly #currency: string;
  constructor(store: DeliveryStore, log: Logger, currency: string) {
    this.#store = store;
    this.#log = log;
    this.#currency = currency;
  }

  async record(provider: TelephonyProvider, status: DeliveryStatus): Promise<boolean> {
    const meaning = deliveryMeaning(status.status);
    const foreign =
      status.priceMicros !== null &&
      status.priceCurrency !== null &&
      status.priceCurrency !== this.#currency;
    let charge: StatusUpdate['charge'] = { kind: 'none' };
    if (meaning.final && meaning.charged) {
      charge =
        status.priceMicros === null || foreign
          ? { kind: 'estimate' }
          : { kind: 'price', micros: status.priceMicros };
    }
    const found = await this.#store.applyStatus({
      provider: provider.name,
      sid: status.sid,
      idempotencyKey: status.idempotencyKey,
      status: status.status,
      errorCode: status.errorCode,
      reportedPrice: foreign
        ? formatReportedPrice(status.priceMicros!, status.priceCurrency!)
        : null,
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

/** "0.004 USD": the provider's figure, not rounded to cents. */
function formatReportedPrice(micros: number, currency: string): string {
  return `${Number((micros / MICROS).toFixed(6))} ${currency}`;
}
