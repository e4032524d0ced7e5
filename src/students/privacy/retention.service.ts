import type { IdempotencyRequest } from '../../common/idempotency.js';
import { createHmac } from 'node:crypto';
import { forgetStoredResponsesNaming } from '../../database/transactions.js';
import { LoanFlags } from '../../loans/loan-flags.js';
import { GuardianReminders } from '../../notifications/guardian-reminders.js';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { addDays, Clock } from '../../common/clock.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import {
  RETENTION_ANONYMISE_STUDENT,
  RETENTION_DUE,
  RETENTION_FORGET_FINGERPRINTS,
  RETENTION_HELD_BACK_COUNT,
  RETENTION_NISN_TAKEN,
  RETENTION_SCRUB_CONSENTS,
} from './retention.queries.js';
import type { AnonymiseResultResponse } from './dto/privacy.dto.js';

/** Students anonymised per transaction: keeps each transaction (and its row locks) short. */
const BATCH = 200;
const ANONYMOUS_NAME = 'Anonim';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The retention job (docs/privacy.md): students who left more than RETENTION_DAYS ago, with no
 * active loan and no open charge, are anonymised in place. Their rows, loans, charges and device
 * history stay (reports and reconciliation keep their counts); the personal data in them is
 * replaced. The audit log is never touched: its payloads hold no personal data by design.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly guardianReminders: GuardianReminders,
    private readonly loanFlags: LoanFlags,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A run is several transactions (batches), so its key cannot be claimed in one of them: a
   * retry whose first run finished replays its answer; the answer is stored with the key after
   * the last batch (a run interrupted half way simply runs again, which is harmless).
   */
  async anonymiseDeparted(actor: Actor, idempotency?: IdempotencyRequest): Promise<AnonymiseResultResponse> {
    assertRole(actor, ['program_admin']);
    const replay = await this.transactions.replayOf<AnonymiseResultResponse>(idempotency);
    if (replay) return replay;
    const cutoff = addDays(this.clock.today(), -this.config.privacy.retentionDays);
    const total = { anonymised: 0, skipped: 0, loansScrubbed: 0, cutoff };
    for (;;) {
      const batch = await this.transactions.run(undefined, (tx) => this.anonymiseBatch(tx, actor, cutoff));
      total.anonymised += batch.anonymised;
      total.loansScrubbed += batch.loansScrubbed;
      if (batch.anonymised < BATCH) break;
    }
    const [{ n }] = await this.transactions.run(undefined, (tx) => runStatement(tx, RETENTION_HELD_BACK_COUNT, [cutoff]));
    total.skipped = n;
    // Claimed now; a concurrent run with the same key that finished first is replayed instead.
    return this.transactions.run(idempotency, async () => total);
  }

  private async anonymiseBatch(tx: EntityManager, actor: Actor, cutoff: string) {
    const due = await runStatement(tx, RETENTION_DUE, [cutoff, BATCH]);
    let loansScrubbed = 0;
    const now = this.clock.now();
    for (const student of due) {
      const pseudonym = await this.freePseudonym(tx, student.nisn);
      await runStatement(tx, RETENTION_ANONYMISE_STUDENT, [student.id, pseudonym, ANONYMOUS_NAME, now]);
      // What student imports said about who they are: keyed fingerprints, pseudonymous but still theirs.
      await runStatement(tx, RETENTION_FORGET_FINGERPRINTS, [student.id]);
      // The agreement's copy of who signed, and the drawn signature's image.
      const loans = await this.loanFlags.scrubGuardian(tx, student.id, ANONYMOUS_NAME, now);
      loansScrubbed += loans;
      // Free text on consents may name the guardian; the records themselves (purpose, dates) stay.
      await runStatement(tx, RETENTION_SCRUB_CONSENTS, [student.id]);
      // Reminders went to the guardian's phone; nothing still queued may go out to it.
      await this.guardianReminders.forgetRecipient(tx, student.id);
      await this.audit.record(tx, actor, {
        action: 'student.anonymised',
        entityType: 'student',
        entityId: student.id,
        schoolId: student.school_id,
        after: { anonymisedAt: now.toISOString(), loansScrubbed: loans },
      });
    }
    if (due.length > 0) {
      // Stored responses of earlier POSTs (a registration, a loan issue) repeat names and phones.
      // A retry of a request that old has long stopped mattering.
      await forgetStoredResponsesNaming(tx, due.map((s) => s.id));
    }
    return { anonymised: due.length, loansScrubbed };
  }

  /**
   * 'X' + 9 base-32 characters of HMAC-SHA256(secret, NISN): stable for a NISN, not reversible
   * without the secret, never 10 digits. On the rare collision the next derivation is tried.
   */
  private async freePseudonym(tx: EntityManager, nisn: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const candidate = pseudonymFor(this.config.privacy.pseudonymSecret, attempt === 0 ? nisn : `${nisn}:${attempt}`);
      if ((await runStatement(tx, RETENTION_NISN_TAKEN, [candidate])).length === 0) return candidate;
    }
  }
}

export function pseudonymFor(secret: string, value: string): string {
  const digest = createHmac('sha256', secret).update(value).digest();
  let out = 'X';
  // 9 characters x 5 bits = 45 bits, from the first 6 bytes.
  let bits = digest.readUIntBE(0, 6);
  for (let i = 0; i < 9; i++) {
    out += BASE32[bits % 32];
    bits = Math.floor(bits / 32);
  }
  return out;
}
