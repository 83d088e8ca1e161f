import type { ReplyReason } from '../domain/types.ts';

/**
 * One reply per caller and line within the cooldown: any earlier reply in the window counts,
 * except those that ended unsent for reasons that say nothing about the caller (the line stayed
 * paused past expiry, the budget ran out, the provider kept failing). A caller whose reply ended
 * that way gets a new one on the next contact.
 */
export const REASONS_THAT_FREE_THE_COOLDOWN: readonly ReplyReason[] = [
  'expired',
  'budget_exhausted',
  'provider_error',
];
