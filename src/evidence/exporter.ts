import type { Clock } from '../domain/clock.ts';
import { InvalidInputError } from '../domain/errors.ts';
import type { Language, Line } from '../domain/types.ts';
import type { Tariff } from '../hotline/tariff.ts';
import { smsCost } from '../policy/cost.ts';
import type { NumberVault } from '../privacy/number-vault.ts';
import { buildBundle } from './bundle/bundle.ts';
import {
  openContent,
  type ChainRow,
  type HoldStore,
  type JournalStore,
  type ShieldPeriod,
} from './journal.ts';
import type { BundleEvent, EvidenceKind, Organisation } from './bundle/types.ts';
import { summarise } from './summary.ts';
import { verifyChain, type Verdict } from './verify.ts';

export interface EvidenceDeps {
  journal: JournalStore;
  holds: HoldStore;
  vault: NumberVault;
  clock: Clock;
  headKey: Uint8Array;
  lines(): Promise<Line[]>;
  shieldPeriods(lineId: number | null, from: number, to: number): Promise<ShieldPeriod[]>;
  tariff(): Promise<Tariff>;
  /** Who files the complaint, printed at the top of the report; null until an admin sets it. */
  organisation(): Promise<Organisation | null>;
  /** Journal references ("contact:12") of the texts operators chose to quote in the report. */
  quotedRefs(from: number, to: number, lineId: number | null): Promise<Set<string>>;
  settings: { timeZone: string; currency: string; language: Language };
  /**
   * Records the webhooks answered but still in the intake log (during a flood the processor runs a
   * few seconds behind), so that a bundle holds every contact the dashboard counted at the click.
   */
  recordPending?(): Promise<void>;
}

export interface ExportRequest {
  from: number;
  to: number;
  lineId: number | null;
  language?: Language;
  actor: string;
}

export interface ExportResult {
  zip: Uint8Array;
  /** Suggested file name: nonmerci-evidence-20261101T1600Z-20261101T2200Z.zip */
  fileName: string;
  events: number;
  manifestSha256: string;
  verdict: Verdict;
}

/** Longest period one bundle may cover; longer raids are exported in several bundles. */
const MAX_PERIOD_MS = 92 * 24 * 3_600_000;

/**
 * Verifies the chain and exports a period of it as an evidence bundle. Every export is audited
 * (who, which period, the SHA-256 of the bundle's manifest) and holds the period as evidence, so
 * retention cannot erase what was handed to the authorities.
 */
export class EvidenceService {
  readonly #d: EvidenceDeps;
  constructor(deps: EvidenceDeps) {
    this.#d = deps;
  }

  /** Links pending entries, then walks the whole chain. */
  async verify(): Promise<Verdict> {
    await this.#d.journal.seal(this.#d.clock.now());
    return verifyChain(
      this.#d.journal,
      (stored) => openContent(stored, this.#d.vault),
      this.#d.headKey,
    );
  }

  async export(request: ExportRequest): Promise<ExportResult> {
    const { from, to, lineId } = request;
    if (!(to > from))
      throw new InvalidInputError('The end of the period must come after its start.');
    if (to - from > MAX_PERIOD_MS)
      throw new InvalidInputError(
        'A bundle covers at most 92 days; export a longer period in several bundles.',
      );
    const lines = await this.#d.lines();
    const line = lineId === null ? null : lines.find((l) => l.id === lineId);
    if (line === undefined) throw new InvalidInputError(`There is no line ${lineId}.`);
    await this.#d.recordPending?.();
    const now = this.#d.clock.now();
    await this.#d.journal.seal(now, { forceHead: true });
    const verdict = await verifyChain(
      this.#d.journal,
      (stored) => openContent(stored, this.#d.vault),
      this.#d.headKey,
    );
    const tail = await this.#d.journal.tail();
    const rows = await this.#d.journal.between(from, to, lineId);
    const lineNumbers = new Map(lines.map((l) => [l.id, l.number]));
    const events = await this.#events(rows, lineNumbers);
    const covered = line ? [line] : lines;
    const tariff = await this.#d.tariff();
    const replyPriceMicros = Math.max(
      0,
      ...covered.map((l) => smsCost(l.replyText, tariff.segmentPriceMicros).costMicros),
    );
    const periods = await this.#d.shieldPeriods(lineId, from, to);
    const quotedRefs = await this.#d.quotedRefs(from, to, lineId);
    const quoted = events.flatMap((e, i) =>
      rows[i]!.ref !== null && quotedRefs.has(rows[i]!.ref) && e.text !== null
        ? [{ at: e.at, number: e.caller ?? '', line: e.line ?? '', text: e.text, labels: e.labels }]
        : [],
    );
    const summary = summarise(events, {
      quoted,
      organisation: await this.#d.organisation(),
      from,
      to,
      generatedAt: now,
      exportedBy: request.actor,
      timeZone: this.#d.settings.timeZone,
      language: request.language ?? this.#d.settings.language,
      currency: this.#d.settings.currency,
      lines: covered.map((l) => l.number),
      replyPriceMicros,
      shieldPeriods: periods.map((p) => ({
        line: lineNumbers.get(p.lineId) ?? String(p.lineId),
        start: p.startedAt,
        end: p.endedAt,
        trigger: p.trigger,
        reason: p.reason,
        endReason: p.endReason,
        detail: p.detail,
      })),
      chain: {
        count: tail.seq,
        head: tail.hash,
        headSeq: tail.seq,
        intact: verdict.intact,
        verdict: verdict.intact
          ? `intact: ${verdict.count} entries, head #${verdict.headSeq} ${verdict.head}`
          : verdict.message,
      },
    });
    const bundle = await buildBundle({ events, summary });
    await this.#d.holds.hold({
      kind: 'exported',
      from,
      to,
      lineId,
      note: null,
      actor: request.actor,
      now,
      detail: {
        events: events.length,
        manifestSha256: bundle.manifestSha256,
        chainHead: tail.hash,
        chainSeq: tail.seq,
        intact: verdict.intact,
      },
    });
    return {
      zip: bundle.zip,
      fileName: `${bundle.folder}.zip`,
      events: events.length,
      manifestSha256: bundle.manifestSha256,
      verdict,
    };
  }

  /** Journal rows as the bundle lists them: contents decrypted, numbers in clear. */
  async #events(rows: ChainRow[], lineNumbers: Map<number, string>): Promise<BundleEvent[]> {
    const facts = rows.map((r) =>
      r.content === null
        ? null
        : { text: openContent(r.content, this.#d.vault), parsed: null as Facts | null },
    );
    const callerNumber = new Map<number, string>();
    for (const f of facts) {
      if (!f) continue;
      f.parsed = JSON.parse(f.text) as Facts;
      if (typeof f.parsed.caller === 'string' && typeof f.parsed.callerId === 'number')
        callerNumber.set(f.parsed.callerId, f.parsed.caller);
    }
    const missing = [
      ...new Set(rows.map((r) => r.callerId).filter((id): id is number => id !== null)),
    ].filter((id) => !callerNumber.has(id));
    for (const [id, enc] of await this.#d.journal.callerNumbers(missing))
      callerNumber.set(id, this.#d.vault.decrypt(enc));

    return rows.map((row, i) => {
      const f = facts[i]!;
      const c = f?.parsed ?? {};
      const kind = row.kind as EvidenceKind;
      const base: BundleEvent = {
        seq: row.seq,
        entryHash: row.entryHash,
        contentHash: row.contentHash,
        at: row.at,
        kind,
        line: row.lineId === null ? null : (lineNumbers.get(row.lineId) ?? null),
        caller: row.callerId === null ? null : (callerNumber.get(row.callerId) ?? null),
        text: null,
        labels: [],
        decision: null,
        reason: null,
        actor: null,
        costMicros: null,
        content: f?.text ?? null,
      };
      if (!f) return base;
      switch (kind) {
        case 'call':
        case 'text':
          return {
            ...base,
            text: str(c.text),
            labels: Array.isArray(c.labels) ? c.labels.map(String) : [],
            decision: str(c.outcome),
          };
        case 'reply':
          return {
            ...base,
            decision: str(c.state),
            reason: c.state === 'sent' ? null : str(c.reason),
            costMicros: typeof c.costMicros === 'number' ? c.costMicros : null,
          };
        case 'shield':
          return {
            ...base,
            decision: str(c.state),
            reason: str(c.detail),
            actor: c.trigger === 'auto' ? 'shield' : 'operator',
          };
        case 'operator':
          return { ...base, decision: str(c.action), reason: str(c.target), actor: str(c.actor) };
        default:
          return base;
      }
    });
  }
}

type Facts = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
