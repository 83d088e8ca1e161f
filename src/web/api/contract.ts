/**
 * The dashboard's JSON API: request and response shapes shared by the server (src/web/api) and the
 * browser app (dashboard/), so both sides are type-checked against one definition.
 *
 * Conventions:
 * - every path starts with /api/; bodies are JSON (`content-type: application/json`), except the
 *   voice recording upload, which is the raw audio file;
 * - state-changing requests (POST, PUT, PATCH, DELETE) carry the session's CSRF token in the
 *   `x-csrf-token` header, read from GET /api/session; login and setup need none (no session yet)
 *   but must be JSON, which a cross-site form cannot send;
 * - errors are `ApiError` with a 4xx status: 400 invalid input, 401 not signed in or session
 *   expired, 403 wrong role or CSRF token, 404 unknown id, 409 conflict, 429 too many attempts;
 * - money is integer micro-units of `currency` (1 € = 1,000,000); times are epoch milliseconds;
 * - caller numbers are always masked ("+3361****78", the last two digits kept) and shown with the
 *   caller's nickname ("Jaguar-07", a keyed hash of the number); no route returns a full number.
 */

import type { ShieldReason } from '../../policy/shield-reason.ts';

export type { ShieldReason };
export type Role = 'admin' | 'moderator';
export type Language = 'fr' | 'en';

export interface ApiError {
  error: string;
  message: string;
  /** The request field the refusal is about, when there is one (e.g. "replyText"). */
  field?: string;
}

// ---------------------------------------------------------------- session and users

/** GET /api/session (public). */
export interface SessionInfo {
  /** No user exists yet: the dashboard shows the setup page. */
  setupNeeded: boolean;
  /** First-run setup from this address needs the setup code printed at start (not on this machine). */
  setupCodeNeeded: boolean;
  user: { id: number; username: string; role: Role } | null;
  /** Send back in `x-csrf-token` on every state-changing request. Null when not signed in. */
  csrfToken: string | null;
  /** Lines on the simulator exist: the simulator page is useful. */
  demo: boolean;
}

/** POST /api/setup (public, only while no user exists) → SessionInfo, signed in as that admin. */
export interface SetupRequest {
  username: string;
  /** At least 12 characters. */
  password: string;
  /** The code `serve` prints at start; needed when the request does not come from the server itself. */
  setupCode?: string;
}

/** POST /api/login (public, rate-limited) → SessionInfo. */
export interface LoginRequest {
  username: string;
  password: string;
}

// POST /api/logout (any signed-in user) → 204.

/** GET /api/users (admin). */
export interface UserSummary {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
  lastLoginAt: number | null;
}

/** POST /api/users (admin) → UserSummary. */
export interface CreateUserRequest {
  username: string;
  password: string;
  role: Role;
}

/** PATCH /api/users/:id (admin) → UserSummary. An admin cannot demote or delete the last admin. */
export interface UpdateUserRequest {
  role?: Role;
  password?: string;
}

// DELETE /api/users/:id (admin) → 204. Ends that user's sessions.

/** POST /api/account/password (any signed-in user) → 204. Ends the user's other sessions. */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

// ---------------------------------------------------------------- overview (moderator)

export type ShieldMode = 'auto' | 'on' | 'off';

export interface LineState {
  id: number;
  number: string;
  provider: string;
  language: Language;
  paused: boolean;
  rejectCallsWhenPaused: boolean;
  shield: {
    mode: ShieldMode;
    active: boolean;
    since: number | null;
    /** While it is on: why it switched on, with the figures (say it with describeShieldReason). */
    reason: ShieldReason | null;
  };
}

export interface Gauge {
  spentMicros: number;
  capMicros: number;
}

/**
 * GET /api/overview (moderator), and the payload of the `overview` event on GET /api/events
 * (server-sent events; a new event whenever something changes, at most about once a second).
 */
export interface Overview {
  now: number;
  currency: string;
  timeZone: string;
  /** How long a planned reply may wait (while a line is paused, say) before it is dropped. */
  replyExpiryMs: number;
  /**
   * Calls and texts received today, those answered and not yet recorded included (`recording`:
   * still in the intake log, during a flood), so the figures follow the flood as it comes.
   */
  today: { contacts: number; calls: number; texts: number; repliesSent: number; recording: number };
  spend: { day: Gauge; month: Gauge };
  queue: {
    /** Scheduled replies waiting for their delay. */
    waiting: number;
    /** Scheduled replies held back: paused line, budget, shield, provider retry. */
    held: number;
    /** Held replies by reason (paused, budget_exhausted, shield, provider_retry…). */
    heldByReason: Record<string, number>;
  };
  lines: LineState[];
  /** True while the shield is active on at least one line: show the raid banner. */
  raid: boolean;
}

/**
 * GET /api/overview/chart?range=3h|24h|7d (moderator): one bucket per minute over the last 3 hours,
 * per 10 minutes over 24 hours or 7 days.
 */
export interface Chart {
  range: '3h' | '24h' | '7d';
  bucketMs: number;
  /** Start of each bucket. */
  times: number[];
  contacts: number[];
  replies: number[];
  spendMicros: number[];
  shieldPeriods: { lineId: number; from: number; to: number | null }[];
}

/** POST /api/lines/:id/pause (moderator) → LineState. */
export interface PauseRequest {
  paused: boolean;
  /** While paused, refuse calls (free) instead of answering them. */
  rejectCalls?: boolean;
}

/** POST /api/lines/:id/shield (moderator) → LineState. */
export interface ShieldRequest {
  mode: ShieldMode;
}

// ---------------------------------------------------------------- lines (admin to change)

/** GET /api/lines (moderator reads, admin changes). */
export interface LineDetail extends LineState {
  voiceText: string;
  /** URL Twilio plays instead of the spoken text; set by uploading a recording. */
  voiceAudioUrl: string | null;
  replyText: string;
  delayMs: number;
  cooldownMs: number;
  /** ISO 3166 codes, e.g. ["FR"]. */
  allowedCountries: string[];
  /**
   * Addresses to give the line's provider, in its own terms (telephony/endpoints.ts): for Twilio
   * voice, sms and status; for Telnyx voice and messaging; for Vonage answer, event, inbound and status.
   */
  webhooks: LineWebhook[];
  /** The line's provider is configured on this server (its credentials are set). */
  providerConfigured: boolean;
  /** Price of one SMS segment, to compute the cost per reply live. */
  segmentPriceMicros: number;
  currency: string;
}

export interface LineWebhook {
  /** Last segment of the address: voice, sms, status, messaging, answer, event, inbound. */
  name: string;
  /** What it is for: voice, sms, messaging (texts and reports), status, call_events. */
  purpose: 'voice' | 'sms' | 'messaging' | 'status' | 'call_events';
  url: string;
}

/**
 * POST /api/lines/:id/check (admin) → LineCheck: asks the line's provider whether the credentials
 * work, the number is on the account and its webhooks point here (as `nonmerci doctor` does).
 */
export interface LineCheck {
  provider: string;
  checks: {
    id: string;
    ok: boolean;
    /** In English, as `nonmerci doctor` prints it; screens say it from `reason` and `wrong`. */
    message: string;
    fix: string | null;
    /** provider_auth, provider_unreachable, provider_error, no_credentials, not_on_account, wrong_webhooks. */
    reason?: string;
    /** The addresses set wrongly at the provider, and where they point instead (null: nowhere). */
    wrong?: {
      name: string;
      purpose: LineWebhook['purpose'];
      found: string | null;
      method: string | null;
    }[];
  }[];
}

/** PATCH /api/lines/:id (admin) → LineDetail. Every field optional. */
export interface UpdateLineRequest {
  language?: Language;
  voiceText?: string;
  replyText?: string;
  delayMs?: number;
  cooldownMs?: number;
  allowedCountries?: string[];
}

// PUT /api/lines/:id/voice-audio (admin), body = the audio file (MP3 or WAV, checked by content,
// at most 5 MB) → LineDetail. DELETE /api/lines/:id/voice-audio (admin) → LineDetail.

/** POST /api/sms-cost (admin): the server's own count, same library as at send time. */
export interface SmsCostRequest {
  text: string;
}
export interface SmsCostResponse {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  characters: number;
  nonGsmCharacters: string[];
  costMicros: number;
}

// ---------------------------------------------------------------- budget (admin)

/** GET /api/budget (admin). */
export interface Budget {
  currency: string;
  timeZone: string;
  segmentPriceMicros: number;
  dailyMicros: number;
  monthlyMicros: number;
  /** Percentages of a cap at which operators are alerted, e.g. [50, 80, 100]. */
  alertThresholds: number[];
  /** Where the values come from: the settings file/environment, or edited in the dashboard. */
  source: 'environment' | 'dashboard';
  spend: { day: Gauge; month: Gauge };
  /** Last 30 days, oldest first ("2026-11-01"). */
  days: { day: string; spentMicros: number; replies: number }[];
  /** Last 12 months, oldest first ("2026-11"). */
  months: { month: string; spentMicros: number }[];
}

/** PUT /api/budget (admin) → Budget. */
export interface UpdateBudgetRequest {
  segmentPriceMicros: number;
  dailyMicros: number;
  monthlyMicros: number;
  alertThresholds: number[];
}

// ---------------------------------------------------------------- contacts and evidence (moderator)

export type ContactKind = 'call' | 'text';
/** Classifier labels of a text. */
export type Label = 'insult' | 'threat' | 'sexual' | 'spam' | 'test' | 'mockery';

/**
 * GET /api/contacts (moderator). Query: line (id), from / to (epoch ms), label (a Label, or
 * "clean", or "any" for any label), replied ("yes" | "no"), reason (a reply reason), caller (id),
 * evidence ("yes"), q (the end of a number, a nickname, or words in the text; 80 characters at
 * most), before (contact id, for the next page), limit (default 50, at most 200).
 */
export interface ContactPage {
  contacts: ContactRow[];
  /** Pass as `before` to get the next page; null at the end. */
  nextBefore: number | null;
}

export interface ContactRow {
  id: number;
  at: number;
  lineId: number;
  lineNumber: string;
  kind: ContactKind;
  callerId: number;
  /** Masked, e.g. "+3361****78", or "withheld". */
  caller: string;
  /** The caller's stable nickname ("Jaguar-07"), null for a withheld number. */
  nickname: string | null;
  /**
   * Text of an SMS. Null for calls, and for texts with labels: those are fetched on demand with
   * GET /api/contacts/:id/text so that nobody reads an insult without asking to.
   */
  body: string | null;
  /** The text exists but is withheld until revealed (it carries labels). */
  hidden: boolean;
  labels: Label[];
  /** reply_scheduled, cooldown or opted_out. */
  outcome: string;
  reply: ReplySummary | null;
  evidence: boolean;
  /** Chosen to be quoted, in clear, in the complaint report (texts only; kept as evidence too). */
  quoted: boolean;
  callerBlocked: boolean;
}

/** POST /api/contacts/:id/quote (moderator) → ContactRow. */
export interface QuoteRequest {
  quoted: boolean;
}

export interface ReplySummary {
  id: number;
  /** scheduled, sending, sent, cancelled, failed. */
  state: string;
  /** Why (a ReplyReason) or null while simply waiting. */
  reason: string | null;
  detail: string | null;
  dueAt: number;
  sentAt: number | null;
  /** What the caps counted: the provider's price, or the reserved estimate. */
  costMicros: number | null;
  /**
   * The provider's price when it is in another currency than the caps' ("0.004 USD"): shown as
   * reported, not converted, beside the estimate counted.
   */
  reportedPrice: string | null;
}

/** GET /api/contacts/:id/text (moderator) → the withheld text. */
export interface ContactText {
  body: string;
}

/** POST /api/contacts/:id/evidence (moderator) → ContactRow. */
export interface EvidenceRequest {
  evidence: boolean;
}

/** GET /api/callers/:id (moderator). */
export interface CallerHistory {
  id: number;
  caller: string;
  /** The caller's stable nickname ("Jaguar-07"), null for a withheld number. */
  nickname: string | null;
  numberType: string;
  country: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  contactCount: number;
  blocked: boolean;
  allowed: boolean;
  optedOutAt: number | null;
  contacts: ContactRow[];
  replies: (ReplySummary & { lineNumber: string; signals: Record<string, unknown> | null })[];
}

/** POST /api/callers/:id/block (moderator) → CallerHistory. */
export interface BlockRequest {
  blocked: boolean;
}

// ---------------------------------------------------------------- rules (moderator)

export type RuleKind = 'block_prefix' | 'allow_prefix' | 'keyword';
export type NumberList = 'blocked' | 'allowed' | 'stop';

export interface RuleRow {
  id: number;
  kind: RuleKind;
  value: string;
  note: string | null;
  createdAt: number;
  createdBy: string;
}

export interface ListedNumberRow {
  callerId: number;
  caller: string;
  nickname: string;
  since: number | null;
}

/** GET /api/rules (moderator). */
export interface Rules {
  rules: RuleRow[];
  lists: Record<NumberList, ListedNumberRow[]>;
}

/** POST /api/rules (moderator) → RuleRow. value: a prefix ("+33 6 99", "+336 99*") or a keyword. */
export interface CreateRuleRequest {
  kind: RuleKind;
  value: string;
  note?: string;
}

// DELETE /api/rules/:id (moderator) → 204.

/** POST /api/lists/:list (moderator) → Rules. Puts a number on a list (on) or takes it off. */
export interface ListRequest {
  /** A phone number as typed ("06 12 34 56 78", "+33612345678"), or use callerId. */
  number?: string;
  callerId?: number;
  on: boolean;
}

// ---------------------------------------------------------------- simulator (admin; simulator lines)

/** POST /api/simulator/contact (admin) → SimulatedContactResult. */
export interface SimulatedContactRequest {
  lineId: number;
  /** The pretend caller's number, e.g. "06 12 34 56 78". */
  from: string;
  kind: ContactKind;
  /** Required for texts. */
  body?: string;
}

export interface SimulatedContactResult {
  /** What the caller hears (calls only). */
  voice:
    | { kind: 'say'; text: string; language: string }
    | { kind: 'play'; url: string }
    | { kind: 'reject' }
    | null;
  /** reply_scheduled, cooldown or opted_out. */
  outcome: string;
  /** When the consent SMS is due, if one was scheduled. */
  replyDueAt: number | null;
}

/** GET /api/simulator/inbox?lineId=&from= (admin): SMS the pretend phone received from the line. */
export interface SimulatorInbox {
  messages: { at: number; body: string; segments: number }[];
  /** The latest reply to this number and where it stands. */
  reply: ReplySummary | null;
}

// ---------------------------------------------------------------- audit (admin)

/** GET /api/audit?before=&limit= (admin). */
export interface AuditPage {
  entries: {
    id: number;
    at: number;
    actor: string;
    action: string;
    target: string | null;
    detail: Record<string, unknown> | null;
  }[];
  nextBefore: number | null;
}

// ---------------------------------------------------------------- evidence (admins)

/** What `nonmerci evidence verify` says about the hash chain. */
export type ChainVerdict =
  | {
      intact: true;
      count: number;
      head: string;
      headSeq: number;
      erased: number;
      pending: number;
    }
  | {
      intact: false;
      /** Position where the chain breaks. */
      seq: number;
      problem: string;
      message: string;
    };

/** GET /api/evidence/verify (admin): walks the whole chain. */
export interface ChainStatus {
  verdict: ChainVerdict;
  checkedAt: number;
}

/** A period kept as evidence until an admin releases it. */
export interface EvidenceHoldRow {
  id: number;
  /** flagged (by hand) or exported (an evidence bundle covered it). */
  kind: 'flagged' | 'exported';
  from: number;
  to: number;
  /** Null: every line. */
  lineId: number | null;
  lineNumber: string | null;
  note: string | null;
  createdAt: number;
  createdBy: string;
}

/** A caller kept as evidence because hostile (labelled texts, blocked, marked contacts). */
export interface KeptCallerRow {
  callerId: number;
  /** Masked. */
  number: string;
  contacts: number;
  labels: string[];
  blocked: boolean;
  lastSeen: number;
}

/** GET /api/evidence (admin): what retention keeps, and for how long it keeps the rest. */
export interface EvidenceOverview {
  holds: EvidenceHoldRow[];
  keptCallers: KeptCallerRow[];
  /** Contacts of ordinary callers are erased after this many days. */
  retentionDays: number;
  /** Last retention run, and what it erased then. */
  lastRetention: { at: number; contacts: number; callers: number } | null;
}

/** POST /api/evidence/export (admin) → a ZIP file (application/zip). Audited. */
export interface EvidenceExportRequest {
  /** ISO 8601 date-time; without an offset it is read in the deployment's time zone. */
  from: string;
  to: string;
  /** One line only; null or absent: every line. */
  lineId?: number | null;
  language?: Language;
}

/** POST /api/evidence/holds (admin): keep a period as evidence. → EvidenceHoldRow. */
export interface EvidenceHoldRequest {
  from: string;
  to: string;
  lineId?: number | null;
  note?: string;
}

// POST /api/evidence/holds/:id/release (admin) → 204.
// POST /api/evidence/callers/:id/release (admin) → 204: a hostile caller may be erased by retention.

// ---------------------------------------------------------------- a data subject's rights (admins)

/** POST /api/privacy/export (admin) → everything held about one number (JSON download). */
export interface PrivacyRequest {
  /** The person's number, in any usual spelling (06 12 34 56 78, +33612345678). */
  number: string;
}

/** POST /api/privacy/erase (admin) → what was erased and what is kept, and why. Audited. */
export interface PrivacyEraseResult {
  /** Masked. */
  number: string;
  found: boolean;
  erased: { contacts: number; replies: number; messages: number; journalEntries: number };
  kept: { contacts: number; journalEntries: number };
  /** Why some records were kept (the evidence exception), in plain words; empty when none. */
  keptBecause: string[];
}

// ---------------------------------------------------------------- raid view (moderator)

/**
 * GET /api/raid?line=ID[&from=ms] (moderator): one line under pressure, counted since the shield
 * period began (or `from`; without either, since the last shield period of the past day began, or
 * over the last hour).
 */
export interface RaidView {
  now: number;
  currency: string;
  timeZone: string;
  line: LineState;
  /** What the figures count: [from, to), to being now for an open period. */
  window: { from: number; to: number };
  /** The shield period the window is, when it is one. */
  period: { from: number; to: number | null; reason: ShieldReason | null } | null;
  /** Calls and texts received in the window, those not yet recorded included. */
  contacts: number;
  /** Of the contacts, those answered and still in the intake log (a flood being recorded). */
  recording: number;
  /** Distinct numbers among the contacts (withheld counts as one). */
  callers: number;
  /** Contacts in the last minute, and per minute over the week before the window. */
  perMinute: { now: number; usual: number };
  /** One bucket a minute from a little before the window to now (at most 6 hours). */
  minutes: { times: number[]; contacts: number[]; sent: number[] };
  /** What became of the replies of the window's contacts: by state, then reason. */
  replies: {
    sent: number;
    /** Waiting for their delay, no decision yet. */
    waiting: number;
    /** Waiting with a reason (paused line, budget spread over the hours, cap…). */
    held: Record<string, number>;
    cancelled: Record<string, number>;
    failed: number;
  };
  /** Contacts that got no reply of their own: "cooldown" (already texted), "opted_out" (STOP). */
  withoutReply: Record<string, number>;
  money: {
    /** What one reply costs now (the line's text at the current price). */
    replyMicros: number;
    /** Spent on replies of this line sent during the window. */
    spentMicros: number;
    /** What an autoresponder answering every contact once would have spent. */
    naiveMicros: number;
    avoidedMicros: number;
  };
  topSenders: {
    callerId: number;
    caller: string;
    nickname: string | null;
    contacts: number;
    lastAt: number;
    blocked: boolean;
  }[];
  /** Ranges of 100 numbers (all digits but the last two) from which two numbers or more came. */
  topRanges: {
    /** The range to block, in E.164 ("+336123456"). */
    prefix: string;
    /** As an operator reads it: "+33 6 12 34 56 ··". */
    shown: string;
    contacts: number;
    callers: number;
    blocked: boolean;
  }[];
  /** The texts received most often, word for word (blurred until revealed). */
  commonTexts: { text: string; count: number }[];
}

/** POST /api/callers/:id/block-range (moderator) → RuleRow: blocks the caller's range of 100. */

// ---------------------------------------------------------------- callers (moderator)

/**
 * GET /api/callers (moderator): contacts grouped by caller, newest first. Query: line, from, to
 * (epoch ms), q (the number's last digits, a nickname, or words of his texts), decision (sent,
 * waiting, held, cancelled, none), blocked ("yes" | "no"), after (the `next` of the previous page),
 * limit (default 50, at most 200).
 */
export interface CallerListPage {
  callers: CallerLine[];
  /** Pass as `after` for the next page; null at the end. */
  next: string | null;
}

/** One caller, counted over the contacts that pass the filters. */
export interface CallerLine {
  callerId: number;
  /** Masked ("+3361****78") or "withheld". */
  caller: string;
  nickname: string | null;
  contacts: number;
  calls: number;
  texts: number;
  lastAt: number;
  /** Contacts of his marked as evidence. */
  evidence: number;
  blocked: boolean;
  allowed: boolean;
  /** The first words of his newest text; null when he sent none, or when it is withheld (labels). */
  firstWords: string | null;
  /** His newest text carries labels: read it on his page, on purpose. */
  hidden: boolean;
  labels: Label[];
  /** His newest reply, which says what was decided for him. */
  reply: ReplySummary | null;
}

/**
 * POST /api/callers/bulk (moderator) → BulkResult: one action on several callers. "forget" is
 * POST /api/callers/forget (admin), which erases what the law allows (see /api/privacy/erase).
 */
export interface BulkRequest {
  ids: number[];
  action: 'block' | 'unblock' | 'allow' | 'disallow' | 'evidence' | 'unevidence';
}

export interface BulkResult {
  /** Callers the action changed or already matched. */
  done: number;
  /**
   * Callers it could not apply to, with why: "withheld" (no number to list), "kept" (forget: his
   * records are kept as evidence or for his STOP; what could be erased was).
   */
  skipped: { callerId: number; why: 'withheld' | 'kept' }[];
}

// ---------------------------------------------------------------- notifications (admin)

export type AlertKind = 'shield_on' | 'shield_off' | 'threat' | 'budget' | 'provider_error';
export type DestinationKind = 'webhook' | 'email' | 'ntfy';

/** An alert destination as listed: where it points, never its secrets. */
export interface DestinationRow {
  /** "d3" (set here) or "settings-webhook" / "settings-email" (.env, read-only). */
  id: string;
  kind: DestinationKind;
  label: string;
  /** The host of a chat webhook or ntfy server (with the start of the topic), or the e-mail recipients. */
  target: string;
  events: AlertKind[];
  readOnly: boolean;
}

/** One alert raised, and what became of it. */
export interface AlertHistoryRow {
  id: number;
  kind: string;
  /** Its title, in the language the dashboard asked for. */
  subject: string;
  at: number;
  /** pending: being delivered (retries included); delivered: every destination took it; failed: given up. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** Destinations that took it (ids as in DestinationRow, or "webhook"/"email" of the settings). */
  deliveredTo: string[];
  lastError: string | null;
  deliveredAt: number | null;
}

/** GET /api/notifications (admin). */
export interface Notifications {
  destinations: DestinationRow[];
  history: AlertHistoryRow[];
}

/**
 * POST /api/notifications (admin) → DestinationRow. Kind-specific fields: webhook → url; email →
 * smtpUrl, from, to; ntfy → server, topic, token (optional). Loopback and private addresses are
 * allowed (a collective's ntfy or Mattermost often runs beside nonmerci).
 */
export interface CreateDestinationRequest {
  kind: DestinationKind;
  label: string;
  events: AlertKind[];
  url?: string;
  smtpUrl?: string;
  from?: string;
  to?: string[];
  server?: string;
  topic?: string;
  token?: string;
}

/** PATCH /api/notifications/:id (admin) → DestinationRow. DELETE /api/notifications/:id → 204. */
export interface UpdateDestinationRequest {
  label?: string;
  events?: AlertKind[];
}

/** POST /api/notifications/:id/test (admin): sends a test alert there at once. */
export interface DestinationTestResult {
  delivered: boolean;
  /** What went wrong, as the destination's server said it; null when delivered. */
  error: string | null;
}

/**
 * GET /api/evidence/organisation (admin): who files complaints, printed at the top of every
 * evidence report (empty strings until set). PUT with the same shape (name required) → the same.
 */
export interface FilingOrganisation {
  name: string;
  /** Postal address, as it should appear on the complaint. */
  address: string;
  /** A person, e-mail or phone the authorities may contact. */
  contact: string;
}
