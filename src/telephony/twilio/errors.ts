/**
 * Twilio error codes that do not describe the recipient and so must not burn a reply.
 * https://www.twilio.com/docs/api/errors — every other 4xx (21211 invalid 'To', 21408 region not
 * enabled, 21610 recipient replied STOP, 21614 not SMS-capable, 21635 landline…) is final.
 */

/** Twilio did not process the request at all, so resending is safe. */
export const NOT_PROCESSED_ERRORS = new Set(['20429']);

/** Our account or credentials are wrong: keep the reply and retry later; the operator must act. */
export const ACCOUNT_ERRORS = new Set(['20003', '20005', '20008']);
