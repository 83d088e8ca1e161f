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
  budget_day: string | null;
  budget_month: string | null;
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
