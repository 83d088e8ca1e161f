/**
 * Delivery statuses as providers report them (Twilio's vocabulary, which the others map onto).
 * https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
 */
const RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  read: 6,
  undelivered: 5,
  /** Sent, but the carrier never said whether it arrived (Telnyx's delivery_unconfirmed). */
  unconfirmed: 5,
  failed: 5,
  canceled: 5,
};

export interface DeliveryMeaning {
  /** No later status will come. */
  final: boolean;
  /** The provider bills this message. Failed and canceled messages are not billed. */
  charged: boolean;
}

export function deliveryMeaning(status: string): DeliveryMeaning {
  switch (status) {
    case 'delivered':
    case 'read':
    case 'undelivered':
    case 'unconfirmed':
      return { final: true, charged: true };
    case 'failed':
    case 'canceled':
      return { final: true, charged: false };
    default:
      return { final: false, charged: true };
  }
}

/** Status callbacks can arrive out of order; a later stage never gives way to an earlier one. */
export function laterStatus(current: string | null, incoming: string): string {
  if (current === null) return incoming;
  return (RANK[incoming] ?? 0) >= (RANK[current] ?? 0) ? incoming : current;
}
