import type { Accounts } from '../../accounts/accounts.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Line } from '../../domain/types.ts';
import type { EvidenceService } from '../../evidence/exporter.ts';
import type { Intake } from '../../hotline/intake.ts';
import type { HotlineEvent } from '../../hotline/processor.ts';
import type { TariffSettings } from '../../hotline/tariff.ts';
import type { NumberVault } from '../../privacy/number-vault.ts';
import type { SubjectRights } from '../../privacy/subject.ts';
import type { AuditEntry } from '../../storage/audit-repo.ts';
import type { Alerts } from '../../alerts/alerts.ts';
import type { DestinationView } from '../../alerts/destinations.ts';
import type { AlertSink } from '../../alerts/sinks.ts';
import type { NotificationsRepo } from '../../storage/notifications-repo.ts';
import type { CallersRepo } from '../../storage/callers-repo.ts';
import type { ContactsRepo } from '../../storage/contacts-repo.ts';
import type { DashboardRepo } from '../../storage/dashboard-repo.ts';
import type { EvidenceHoldsRepo } from '../../storage/evidence-holds-repo.ts';
import type { LinesRepo } from '../../storage/lines-repo.ts';
import type { RaidRepo } from '../../storage/raid-repo.ts';
import type { ReplyLookupRepo } from '../../storage/reply-lookup-repo.ts';
import type { RulesRepo } from '../../storage/rules-repo.ts';
import type { ShieldRepo } from '../../storage/shield-repo.ts';
import type { SimOutboxRepo } from '../../storage/sim-outbox-repo.ts';
import type { StatsRepo } from '../../storage/stats-repo.ts';
import type { VoiceRecordingsRepo } from '../../storage/voice-recordings-repo.ts';
import type { EvidenceOverview, FilingOrganisation, LineCheck } from './contract.ts';
import type { KnownDevices } from './device.ts';

/** What the dashboard API works with; assembled in main.ts. */
export interface ApiDeps {
  accounts: Accounts;
  /** Browsers where a user signed in before: their sign-ins are not slowed by a flood. */
  devices: KnownDevices;
  clock: Clock;
  vault: NumberVault;
  lines: LinesRepo;
  shield: ShieldRepo;
  rules: RulesRepo;
  contacts: ContactsRepo;
  /** Contacts grouped by caller, and bulk evidence marks. */
  callers: CallersRepo;
  dashboard: DashboardRepo;
  /** Counts behind the raid view. */
  raid: RaidRepo;
  stats: StatsRepo;
  tariff: TariffSettings;
  intake: Intake;
  simOutbox: SimOutboxRepo;
  replyLookup: ReplyLookupRepo;
  voice: VoiceRecordingsRepo;
  evidence: EvidenceService;
  holds: EvidenceHoldsRepo;
  /** Retention period, its last run and the hostile callers kept as evidence. */
  privacyStatus(): Promise<Omit<EvidenceOverview, 'holds'>>;
  /**
   * A data subject's requests: export and erase everything held about a number. Optional only
   * until main.ts assembles it; the privacy routes answer 503 without it.
   */
  subjects: SubjectRights;
  /** The alert outbox: its history, and tests sent to one destination. */
  alerts: Alerts;
  /** Alert destinations set in the dashboard. */
  notifications: NotificationsRepo;
  /** Alert destinations of the settings (.env): listed read-only, testable. */
  settingsDestinations: { sink: AlertSink; view: DestinationView }[];
  /** The organisation filing complaints (evidence reports), set once by an admin. */
  organisation: {
    get(): Promise<FilingOrganisation | null>;
    save(organisation: FilingOrganisation, actor: string, now: number): Promise<void>;
  };
  /** Calls `listener` for each contact this process records; returns the unsubscribe. */
  onContact(listener: (event: HotlineEvent) => void): () => void;
  /** Providers configured on this server (the simulator always is). */
  providerNames: string[];
  /** Asks a line's provider whether the credentials, the number and its webhooks are right. */
  checkLine(line: Line): Promise<LineCheck['checks']>;
  /** Applies a line's shield mode at once, as the shield monitor would at its next look. */
  applyShield(line: Line): Promise<void>;
  audit(before: number | null, limit: number): Promise<AuditEntry[]>;
  settings: {
    publicUrl: string;
    currency: string;
    timeZone: string;
    /** REPLY_EXPIRY: how long a planned reply may wait (a paused line) before it is dropped. */
    replyExpiryMs: number;
    /** The code that lets first-run setup happen from another machine (see setupCode()). */
    setupCode: string;
  };
}
