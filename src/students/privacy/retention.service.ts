import type { IdempotencyRequest } from '../../common/idempotency.js';
import { createHmac } from 'node:crypto';
import { forgetStoredResponsesNaming } from '../../database/transactions.js';
import { scrubGuardianOnLoans } from '../../loans/loan-flags.js';
import { forgetGuardianRecipient } from '../../notifications/outbox-writes.js';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { addDays, Clock } from '../../common/clock.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Transactions } from '../../database/transactions.js';
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
    const [{ n }] = await this.transactions.run(undefined, (tx) => tx.query(
      `SELECT count(*)::int AS n FROM students s WHERE s.anonymised_at IS NULL AND s.left_at <= $1 AND ${HELD_BACK}`,
      [cutoff],
    ));
    total.skipped = n;
    // Claimed now; a concurrent run with the same key that finished first is replayed instead.
    return this.transactions.run(idempotency, async () => total);
  }

  private async anonymiseBatch(tx: EntityManager, actor: Actor, cutoff: string) {
    // SKIP LOCKED: two replicas running the job at once split the work instead of waiting.
    const due: { id: string; nisn: string; school_id: string }[] = await tx.query(
      `SELECT s.id, s.nisn, s.school_id FROM students s
       WHERE s.anonymised_at IS NULL AND s.left_at <= $1 AND NOT ${HELD_BACK}
       ORDER BY s.left_at, s.id LIMIT ${BATCH} FOR UPDATE OF s SKIP LOCKED`,
      [cutoff],
    );
    let loansScrubbed = 0;
    const now = this.clock.now();
    for (const student of due) {
      const pseudonym = await this.freePseudonym(tx, student.nisn);
      await tx.query(
        `UPDATE students SET nisn = $2, full_name = $3, date_of_birth = NULL, class_name = NULL,
                guardian_name = NULL, guardian_relation = NULL, guardian_phone = NULL, family_card_number = NULL,
                anonymised_at = $4, version = version + 1, updated_at = $4
         WHERE id = $1`,
        [student.id, pseudonym, ANONYMOUS_NAME, now],
      );
      // What student imports said about who they are: keyed fingerprints, pseudonymous but still theirs.
      await tx.query(`DELETE FROM student_import_fingerprints WHERE student_id = $1`, [student.id]);
      // The agreement's copy of who signed, and the drawn signature's image.
      const loans = await scrubGuardianOnLoans(tx, student.id, ANONYMOUS_NAME, now);
      loansScrubbed += loans;
      // Free text on consents may name the guardian; the records themselves (purpose, dates) stay.
      await tx.query(`UPDATE guardian_consents SET evidence_ref = NULL, withdraw_reason = NULL, version = version + 1 WHERE student_id = $1`, [student.id]);
      // Reminders went to the guardian's phone; nothing still queued may go out to it.
      await forgetGuardianRecipient(tx, student.id);
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
      if ((await tx.query(`SELECT 1 FROM students WHERE nisn = $1`, [candidate])).length === 0) return candidate;
    }
  }
}

/** A student kept past the retention period: something is still owed in either direction. */
const HELD_BACK = `(EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.status = 'active')
  OR EXISTS (SELECT 1 FROM charges c WHERE c.student_id = s.id AND c.status = 'open'))`;

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
