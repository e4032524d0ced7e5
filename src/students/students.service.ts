import { Clock } from '../common/clock.js';
import { isSchoolAgeBirthDate, schoolAgeBirthDates } from '../common/plausible.js';
import { Injectable } from '@nestjs/common';
import { LoanFlags, type LoanFlag } from '../loans/loan-flags.js';
import { DataSource, type EntityManager } from 'typeorm';
import { assertRole, assertSchoolAccess, readableSchoolFilter } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { School } from '../schools/school.entity.js';
import {
  type CreateStudentRequest,
  type StudentQuery,
  type StudentResponse,
  toStudentAuditImage,
  toStudentResponse,
  type UpdateStudentRequest,
} from './dto/student.dto.js';
import { StudentAccessLog } from './privacy/student-access-log.js';
import { Student } from './student.entity.js';

/** Students. School administrators manage their own school's students only. */
@Injectable()
export class StudentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly loanFlags: LoanFlags,
    private readonly accessLog: StudentAccessLog,
    private readonly clock: Clock,
  ) {}

  create(actor: Actor, request: CreateStudentRequest, idempotency?: IdempotencyRequest): Promise<StudentResponse> {
    assertSchoolAccess(actor, request.schoolId, 'operate', 'school_not_found');
    this.assertSchoolAge(request.dateOfBirth);
    return this.transactions.run(idempotency, async (tx) => {
      await assertSchoolExists(tx, request.schoolId);
      const student = await tx.save(
        tx.create(Student, {
          ...request,
          className: request.className ?? null,
          guardianName: request.guardianName ?? null,
          guardianRelation: request.guardianRelation ?? null,
          guardianPhone: request.guardianPhone ?? null,
          familyCardNumber: request.familyCardNumber ?? null,
          resident: request.resident ?? true,
          socialAid: request.socialAid ?? [],
          enrolmentStatus: 'enrolled',
          leftAt: null,
        }),
      );
      await this.audit.record(tx, actor, {
        action: 'student.created',
        entityType: 'student',
        entityId: student.id,
        schoolId: student.schoolId,
        after: toStudentAuditImage(student),
      });
      return toStudentResponse(student);
    });
  }

  async list(actor: Actor, query: StudentQuery): Promise<Page<StudentResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(Student).createQueryBuilder('s');
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) qb.andWhere('s.school_id = :schoolId', { schoolId });
    if (query.enrolmentStatus) qb.andWhere('s.enrolment_status = :status', { status: query.enrolmentStatus });
    if (query.grade) qb.andWhere('s.grade = :grade', { grade: query.grade });
    if (query.q) {
      if (/^\d{10}$/.test(query.q)) qb.andWhere('s.nisn = :nisn', { nisn: query.q });
      else qb.andWhere('s.full_name ILIKE :pattern', { pattern: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    }
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(s.full_name, s.id) > (:name, :id)', { name: cursor[0], id: cursor[1] });
    const rows = await qb.orderBy('s.full_name').addOrderBy('s.id').limit(limit + 1).getMany();
    // Every student on the page was read (docs/privacy.md); the extra row fetched for the cursor was not.
    this.accessLog.record(actor, 'student.list', rows.slice(0, limit));
    return toPage(rows, limit, (s) => [s.fullName, s.id], toStudentResponse);
  }

  async get(actor: Actor, id: string): Promise<StudentResponse> {
    const student = await this.dataSource.getRepository(Student).findOneBy({ id });
    if (!student) throw notFound('student_not_found');
    assertSchoolAccess(actor, student.schoolId, 'read', 'student_not_found');
    this.accessLog.record(actor, 'student.get', [student]);
    return toStudentResponse(student);
  }

  /** A birth date that makes a school-age child (docs/api.md, "Plausible values"). */
  private assertSchoolAge(dateOfBirth: string): void {
    const today = this.clock.today();
    if (!isSchoolAgeBirthDate(dateOfBirth, today)) throw invalidField('dateOfBirth', 'not_school_age', schoolAgeBirthDates(today));
  }

  /**
   * Ordinary edits, and the lifecycle: leaving (graduated, transferred, dropped out) or moving to
   * another school is audited as its own action so the education office can follow it up.
   */
  update(actor: Actor, id: string, request: UpdateStudentRequest, expectedVersion?: number): Promise<StudentResponse> {
    if (Object.values(request).every((v) => v === undefined)) throw invalidField('body', 'nothing_to_change');
    if (request.dateOfBirth !== undefined) this.assertSchoolAge(request.dateOfBirth);
    return this.transactions.run(undefined, async (tx) => {
      const student = await tx.findOne(Student, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!student) throw notFound('student_not_found');
      assertSchoolAccess(actor, student.schoolId, 'operate', 'student_not_found');
      assertVersion(student.version, expectedVersion);
      const moving = request.schoolId !== undefined && request.schoolId !== student.schoolId;
      if (moving) {
        // Moving between schools touches two schools' data: the program office does it. The
        // student is the actor's own (checked above), so a school admin is refused for their
        // role (403), not told the target school is missing (404).
        assertRole(actor, ['program_admin']);
        await assertSchoolExists(tx, request.schoolId!);
      }
      const before = toStudentAuditImage(student);
      const leaving = request.enrolmentStatus !== undefined && request.enrolmentStatus !== 'enrolled' && student.enrolmentStatus === 'enrolled';
      const returning = request.enrolmentStatus === 'enrolled' && student.enrolmentStatus !== 'enrolled';
      tx.merge(Student, student, request);
      if (leaving) student.leftAt = new Date().toISOString().slice(0, 10);
      if (returning) student.leftAt = null;
      const saved = await tx.save(student);
      const after = toStudentAuditImage(saved);
      const action = moving ? 'student.moved' : leaving ? 'student.left' : returning ? 'student.reenrolled' : 'student.updated';
      // A move is recorded on both schools' side of the log.
      for (const schoolId of new Set([before.schoolId, saved.schoolId])) {
        await this.audit.record(tx, actor, { action, entityType: 'student', entityId: id, schoolId, before, after });
      }
      if (leaving || moving) await this.flagActiveLoans(tx, actor, id, leaving ? 'return_due' : 'transfer_needed');
      return toStudentResponse(saved);
    });
  }

  /**
   * A student who leaves, or moves school, while holding a laptop: their active loans are flagged
   * for the school to act on (collect the device, or transfer the loan), never left silently.
   * Also used by the student import (src/students/import), inside its transaction.
   */
  async flagActiveLoans(tx: EntityManager, actor: Actor, studentId: string, reason: LoanFlag): Promise<void> {
    const flagged = await this.loanFlags.flagActiveLoansOf(tx, studentId, reason);
    for (const loan of flagged) {
      await this.audit.record(tx, actor, { action: 'loan.flagged', entityType: 'loan', entityId: loan.id, schoolId: loan.school_id, after: { actionRequired: reason, studentId } });
    }
  }
}

async function assertSchoolExists(tx: EntityManager, schoolId: string): Promise<void> {
  if (!(await tx.existsBy(School, { id: schoolId }))) throw invalidField('schoolId', 'unknown_school');
}
