import type { Kysely, Transaction } from 'kysely';
import type { AuditEntry } from './audit-repo.ts';
import type { Capabilities } from './capabilities.ts';
import type { RetentionCutoffs } from './retention-queries.ts';
import { RetentionRepo, type LastRetention } from './retention-repo.ts';
import type { Database } from './schema.ts';
import { SubjectRepo } from './subject-repo.ts';

type Tx = Transaction<Database> | Kysely<Database>;

/**
 * Every statement of the privacy lifecycle, as one object for the composition root: retention's
 * erasure of expired records (RetentionRepo) and a data subject's export and erasure
 * (SubjectRepo). What both keep as evidence is stated once, in evidence-exception.ts. Each method
 * delegates; the documentation is on the repository that does the work.
 */
export class PrivacyRepo {
  readonly #retention: RetentionRepo;
  readonly #subject: SubjectRepo;

  constructor(db: Kysely<Database>, caps: Capabilities) {
    this.#retention = new RetentionRepo(db);
    this.#subject = new SubjectRepo(db, caps);
  }

  // ---------------------------------------------------------------- retention (RetentionStore)

  maxCooldownMs() {
    return this.#retention.maxCooldownMs();
  }

  countExpired(c: RetentionCutoffs) {
    return this.#retention.countExpired(c);
  }

  eraseExpired(c: RetentionCutoffs) {
    return this.#retention.eraseExpired(c);
  }

  recordRun(run: LastRetention) {
    return this.#retention.recordRun(run);
  }

  lastRun() {
    return this.#retention.lastRun();
  }

  keptCallers(limit: number) {
    return this.#retention.keptCallers(limit);
  }

  // ---------------------------------------------------------------- a data subject (SubjectStore)

  audit(entry: Omit<AuditEntry, 'id'>) {
    return this.#subject.audit(entry);
  }

  findCaller(numberIndex: string, db?: Tx) {
    return this.#subject.findCaller(numberIndex, db);
  }

  contactsOf(callerId: number, db?: Tx) {
    return this.#subject.contactsOf(callerId, db);
  }

  repliesOf(callerId: number, db?: Tx) {
    return this.#subject.repliesOf(callerId, db);
  }

  messagesTo(numberIndex: string) {
    return this.#subject.messagesTo(numberIndex);
  }

  journalOf(callerId: number) {
    return this.#subject.journalOf(callerId);
  }

  evidenceFacts(callerId: number, db?: Tx) {
    return this.#subject.evidenceFacts(callerId, db);
  }

  eraseSubject(s: Parameters<SubjectRepo['eraseSubject']>[0]) {
    return this.#subject.eraseSubject(s);
  }
}
