import type { Generated } from 'kysely';

/**
 * Tables as Kysely sees them. Times are epoch milliseconds and money is integer micro-units, both
 * BIGINT on PostgreSQL and INTEGER on SQLite; booleans are 0/1 integers on both, so the two
 * dialects read back identical values.
 */
export interface Database {
  lines: LinesTable;
  callers: CallersTable;
  contacts: ContactsTable;
  replies: RepliesTable;
  budget_periods: BudgetPeriodsTable;
  sim_messages: SimMessagesTable;
  nonmerci_settings: SettingsTable;
  rules: RulesTable;
  audit_log: AuditLogTable;
  shield_periods: ShieldPeriodsTable;
  alerts: AlertsTable;
  users: UsersTable;
  sessions: SessionsTable;
  voice_recordings: VoiceRecordingsTable;
  evidence_log: EvidenceLogTable;
  evidence_heads: EvidenceHeadsTable;
  evidence_chain: EvidenceChainTable;
  evidence_holds: EvidenceHoldsTable;
  number_keys: NumberKeysTable;
  intake_log: IntakeLogTable;
}

/** A webhook's event, durable before it is acknowledged, until the processor records it. */
export interface IntakeLogTable {
  id: Generated<number>;
  provider: string;
  provider_sid: string;
  line_id: number;
  kind: string;
  received_at: number;
  caller_index: string;
  /** The normalised number, encrypted by the number vault. */
  caller_enc: string;
  caller_type: string;
  caller_country: string | null;
  body: string | null;
  /** Times recording this event failed; it is set aside after a few. */
  failures: Generated<number>;
  last_error: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface LinesTable {
  id: Generated<number>;
  number: string;
  provider: string;
  language: string;
  voice_text: string;
  voice_audio_url: string | null;
  reply_text: string;
  delay_ms: number;
  cooldown_ms: number;
  allowed_countries: string;
  paused: Generated<number>;
  reject_calls_when_paused: Generated<number>;
  /** auto (the surge detector decides), on or off (the operator decided). */
  shield_mode: Generated<string>;
  shield_active: Generated<number>;
  shield_since: number | null;
  /** Last minute the detector saw a surge; the shield leaves after SHIELD_QUIET without one. */
  shield_last_surge_at: number | null;
  /** Last edit from the dashboard: from then on the dashboard's values win over the settings at start. */
  settings_edited_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CallersTable {
  id: Generated<number>;
  /** HMAC of the normalised number; never the number itself. */
  number_index: string;
  number_enc: string;
  /** Number type from libphonenumber at first contact (mobile, fixed_line, withheld…), kept for statistics. */
  number_type: string;
  country: string | null;
  blocked: Generated<number>;
  first_seen_at: number;
  last_seen_at: number;
  contact_count: Generated<number>;
  /** HMAC of the number without its last digits: callers from one hammered range share it. */
  prefix_index: string | null;
  /** The caller asked never to be texted again (STOP), or an operator put the number on the STOP list. */
  opted_out_at: number | null;
  /** On the operator's allowlist: hostility signals and the shield's rationing do not apply. */
  allowed: Generated<number>;
  /** An admin released this hostile caller from evidence: retention may erase it like anyone else. */
  evidence_released_at: number | null;
}

export interface ContactsTable {
  id: Generated<number>;
  line_id: number;
  caller_id: number;
  kind: string;
  provider: string;
  provider_sid: string;
  received_at: number;
  /** Text of an inbound SMS, kept as evidence of abuse. Null for calls. */
  body: string | null;
  outcome: string;
  reply_id: number | null;
  /** Classifier labels of a text, comma-separated (insult,threat…); null for calls and clean texts. */
  labels: string | null;
  /** When an operator marked this contact as evidence, and who. */
  evidence_at: number | null;
  evidence_by: string | null;
  /** When an operator chose this text to be quoted in the complaint report, and who. */
  quoted_at: number | null;
  quoted_by: string | null;
}

export interface RepliesTable {
  id: Generated<number>;
  line_id: number;
  caller_id: number;
  state: string;
  reason: string | null;
  detail: string | null;
  due_at: number;
  expires_at: number;
  next_attempt_at: number;
  attempts: Generated<number>;
  idempotency_key: string;
  claimed_by: string | null;
  lease_until: number | null;
  provider: string | null;
  provider_attempted_at: number | null;
  provider_sid: string | null;
  delivery_status: string | null;
  error_code: string | null;
  body: string | null;
  segments: number | null;
  encoding: string | null;
  reserved_micros: Generated<number>;
  cost_micros: number | null;
  /** A price the provider reported in another currency than CURRENCY, as said ("0.0040 USD"). */
  reported_price: string | null;
  /** Provider ids of other messages of this reply (sent again after an unknown outcome), space-separated. */
  other_sids: string | null;
  /** What those other messages cost, included in cost_micros. */
  other_micros: Generated<number>;
  budget_day: string | null;
  budget_month: string | null;
  /** Shield's hourly slice the reservation was counted in, "<line>:2026-11-01T16". */
  budget_hour: string | null;
  /** Order in which the shield hands out its hourly slice: least hostile (lowest) first. */
  priority: Generated<number>;
  /** JSON of the hostility signals seen at the last decision. */
  signals: string | null;
  created_at: number;
  decided_at: number | null;
  sent_at: number | null;
}

export interface BudgetPeriodsTable {
  /** "day:2026-11-01" or "month:2026-11". */
  period: string;
  reserved_micros: Generated<number>;
  committed_micros: number;
}

/** Outbox of the simulated phone network: what a real provider would have delivered. */
export interface SimMessagesTable {
  id: Generated<number>;
  idempotency_key: string;
  sid: string;
  from_number: string;
  to_index: string;
  to_enc: string;
  body: string;
  segments: number;
  created_at: number;
}

/** Operator rules that match patterns rather than one number: prefixes and keywords. */
export interface RulesTable {
  id: Generated<number>;
  /** block_prefix, allow_prefix or keyword. */
  kind: string;
  /** A prefix in E.164 ("+33612") or a keyword in normalised form. */
  value: string;
  /** For keywords: no_reply or block. */
  action: string | null;
  note: string | null;
  created_at: number;
  created_by: string;
}

/** Every operator action, who did it and when. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** JSON with the details of the change; numbers appear masked. */
  detail: string | null;
}

export interface ShieldPeriodsTable {
  id: Generated<number>;
  line_id: number;
  started_at: number;
  ended_at: number | null;
  /** auto (surge detector) or operator. */
  trigger: string;
  detail: string | null;
  /** Why it started, as JSON (policy/shield-reason.ts); null before 007. */
  reason: string | null;
  /** Why it ended, as JSON; null while it lasts. */
  end_reason: string | null;
}

/** Durable outbox of operator alerts; dedupe_key makes raising an alert idempotent across processes. */
export interface AlertsTable {
  id: Generated<number>;
  dedupe_key: string;
  kind: string;
  payload: string;
  created_at: number;
  next_attempt_at: number;
  attempts: Generated<number>;
  claimed_until: number | null;
  /** Comma-separated names of the sinks that already took this alert. */
  delivered_to: Generated<string>;
  delivered_at: number | null;
  last_error: string | null;
}

/** Dashboard accounts. */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** scrypt hash in PHC form: $scrypt$ln=15,r=8,p=1$salt$hash. */
  password_hash: string;
  /** admin or moderator. */
  role: string;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

/** Signed-in browsers. Only a hash of the cookie's token is stored, so a database leak opens no session. */
export interface SessionsTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** Voice messages uploaded for a line, served to the provider at /media/voice/TOKEN. */
export interface VoiceRecordingsTable {
  id: Generated<number>;
  line_id: number;
  /** Unguessable name in the public URL. */
  token: string;
  content_type: string;
  data: Buffer;
  created_at: number;
}

/**
 * The evidence journal: every call, text, reply decision, shield change and operator action, in
 * the order it was chained. Rows are appended unchained (seq null) inside the transaction that
 * makes the change, then linked by the sequencer.
 */
export interface EvidenceLogTable {
  id: Generated<number>;
  /** Position in the chain (1, 2, 3…); null until the sequencer links the entry. */
  seq: number | null;
  at: number;
  /** call, text, reply, shield or operator. */
  kind: string;
  line_id: number | null;
  caller_id: number | null;
  /** The row described: "contact:12", "reply:7", "shield:3", "audit:40". */
  ref: string | null;
  /**
   * Canonical JSON of the facts. Encrypted like numbers when it holds personal data; null once
   * retention erased it (content_hash stays, so the chain still verifies).
   */
  content: string | null;
  /** SHA-256 (hex) of the canonical JSON. */
  content_hash: string;
  prev_hash: string | null;
  entry_hash: string | null;
  erased_at: number | null;
}

/** Chain heads kept as the chain grows, signed with a key derived from NONMERCI_SECRET. */
export interface EvidenceHeadsTable {
  seq: number;
  entry_hash: string;
  at: number;
  mac: string;
}

/** One row (id 1): the last chained entry. The sequencer locks it while linking. */
export interface EvidenceChainTable {
  id: number;
  last_seq: number;
  last_hash: string;
  updated_at: number;
}

/** A period kept as evidence until an admin releases it: flagged by hand, or exported. */
export interface EvidenceHoldsTable {
  id: Generated<number>;
  /** flagged or exported. */
  kind: string;
  from_at: number;
  to_at: number;
  /** Null: every line. */
  line_id: number | null;
  note: string | null;
  created_at: number;
  created_by: string;
  released_at: number | null;
  released_by: string | null;
}

/**
 * Versions of the key that encrypts phone numbers. Version 1 derives from NONMERCI_SECRET and gets
 * a row (wrapped '') only when retired; later versions are random keys wrapped under a key derived
 * from the secret. The blind index key is not versioned (see privacy/number-vault.ts).
 */
export interface NumberKeysTable {
  version: number;
  /** base64url(nonce ‖ wrapped key ‖ tag); '' once destroyed, and always for version 1. */
  wrapped: string;
  created_at: number;
  /** Processes encrypt with this version from then on (a few reloads after its creation). */
  active_from: number;
  /** No longer used to encrypt; null while in service. */
  retired_at: number | null;
}
