import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import type { AuditEntry } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { DomainError, notFound } from '../../common/errors.js';
import { runStatement } from '../../database/statements.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import { SIGNATURE_FOR_DOCUMENT, SIGNATURE_INSERT, SIGNATURE_OF_LOAN } from './guardian-signatures.queries.js';
import type { SignatureImage } from './signature-png.js';

/** What the agreement PDF shows of a loan's drawn signature. */
export interface SignatureForDocument {
  sha256: string;
  /** Null once the retention job has cleared the image; the hash stays. */
  png: Buffer | null;
}

/**
 * The owner of `loan_signatures`: the guardian's drawn signature, stored with its loan in the
 * issue's transaction, read back as the PNG (noted in the student-access log) and for the PDF.
 */
@Injectable()
export class GuardianSignatures {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: StudentAccessLog,
  ) {}

  /** Stores the signature of a loan just issued in `tx`; returns the audit event to write with the loan's. */
  async record(tx: EntityManager, actor: Actor, loan: { id: string; schoolId: string; studentId: string }, image: SignatureImage): Promise<AuditEntry> {
    await runStatement(tx, SIGNATURE_INSERT, [loan.id, loan.schoolId, loan.studentId, image.png, image.sha256, image.png.length, image.width, image.height, actor.id]);
    // The hash goes into the audit chain: the stored image can later be shown to be the one signed.
    return {
      action: 'loan.signature_recorded',
      entityType: 'loan',
      entityId: loan.id,
      schoolId: loan.schoolId,
      after: { sha256: image.sha256.toString('hex'), bytes: image.png.length, width: image.width, height: image.height },
    };
  }

  /** The PNG as drawn. A loan without one, or whose image the retention job cleared, is a 404. */
  async png(actor: Actor, loanId: string): Promise<{ png: Buffer; sha256: string }> {
    const [row] = await runStatement(this.dataSource.manager, SIGNATURE_OF_LOAN, [loanId]);
    if (!row) throw notFound('loan_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'loan_not_found');
    if (!row.sha256) throw notFound('signature_not_found');
    if (!row.png) throw new DomainError('not-found', 'signature_removed', { sha256: row.sha256.toString('hex') });
    this.accessLog.record(actor, 'loan.guardian-signature', [{ id: row.student_id, schoolId: row.school_id }]);
    return { png: row.png, sha256: row.sha256.toString('hex') };
  }

  /** For documents already access-checked and logged by their caller. */
  async forDocument(db: EntityManager, loanId: string): Promise<SignatureForDocument | null> {
    const [row] = await runStatement(db, SIGNATURE_FOR_DOCUMENT, [loanId]);
    return row ? { sha256: row.sha256.toString('hex'), png: row.png } : null;
  }
}
