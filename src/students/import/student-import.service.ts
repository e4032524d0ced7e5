import { Inject, Injectable } from '@nestjs/common';
import { dryRunnable, importSummary, recorded, refuseIfAnyRowBad } from '../../common/csv-import/import-outcome.js';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertSchoolAccess, ownSchool } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { answerLanguage } from '../../common/request-context.js';
import { Clock } from '../../common/clock.js';
import { copyInto, inPieces, withFile } from '../../common/csv-import/copy.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import { ImportErrors, LISTED_ERRORS } from '../../common/csv-import/import-errors.js';
import { importError, invalidField, notFound, renderRowError } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { School } from '../../schools/school.entity.js';
import { StudentsService } from '../students.service.js';
import { FingerprintKey } from './fingerprints.js';
import type { StudentImportQuery, StudentImportResponse } from './student-import.dto.js';
import {
  COPY_FINGERPRINTS,
  COPY_STAGING,
  COPY_STUDENTS,
  fingerprintLine,
  stagingLine,
  STUDENT_IMPORT_ACTIVE_LOANS,
  STUDENT_IMPORT_BACK_TO_SAVEPOINT,
  STUDENT_IMPORT_CREATE_STAGING,
  STUDENT_IMPORT_DELETE_DEMOTED_ROWS,
  STUDENT_IMPORT_DELETE_DEMOTED_STUDENTS,
  STUDENT_IMPORT_INSERT,
  STUDENT_IMPORT_LIFECYCLE,
  STUDENT_IMPORT_MATCH,
  STUDENT_IMPORT_OTHER_SCHOOL,
  STUDENT_IMPORT_SAVEPOINT,
  STUDENT_IMPORT_TIMEOUT,
  STUDENT_IMPORT_UPDATE,
  studentLine,
  type LifecycleRow,
} from './student-import-sql.js';
import { scanStudentFile, type StudentFileScan } from './student-scan.js';


interface ImportContext {
  schoolId: string;
  today: string;
  importId: string;
}

interface Written {
  created: number;
  updated: number;
  /** Students whose enrolment status the import changed. */
  statuses: { id: string }[];
}

/** How a file went in: what was read, every error, the rows good in the end, and the writes still to do. */
interface Outcome {
  scan: StudentFileScan;
  errors: ImportErrors;
  good: number;
  /** The rest of the import, once the errors allow it. */
  finish: () => Promise<Written>;
}

interface Lifecycle {
  left: number;
  reenrolled: number;
  loansFlagged: number;
}

/**
 * Registers and updates a school's students from a CSV file (docs/students-import.md) in one
 * transaction, with one `student.imported` audit event. A NISN already registered at the school
 * is an update; at another school, the row is refused. Leaving and re-enrolling are recorded as
 * PATCH /students records them (their own events, active loans flagged). See
 * `student-import-sql.ts` for the direct way (a first import) and the staged way (a re-import).
 */
@Injectable()
export class StudentImportService {
  private readonly fingerprints: FingerprintKey;

  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly students: StudentsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.fingerprints = new FingerprintKey(config.privacy.pseudonymSecret);
  }

  /** `readFile` is called once the caller may import to the school, so a stranger's file is never read. */
  async importStudents(
    actor: Actor,
    query: StudentImportQuery,
    readFile: () => Promise<CsvFile>,
    idempotency?: IdempotencyRequest,
  ): Promise<StudentImportResponse> {
    const schoolId = query.schoolId ?? ownSchool(actor);
    if (!schoolId) throw invalidField('schoolId', 'import_school_required');
    assertSchoolAccess(actor, schoolId, 'operate', 'school_not_found');
    const mode = query.mode ?? 'all-or-nothing';
    const dryRun = query.dryRun === 'true';
    const file = await readFile();
    // A dry run is checked again each time it is asked: there is nothing to replay.
    return dryRunnable(dryRun, (answer) => this.transactions.run(dryRun ? undefined : withFile(idempotency, file, mode, schoolId), async (tx) => {
      await runStatement(tx, STUDENT_IMPORT_TIMEOUT, []);
      if (!(await tx.existsBy(School, { id: schoolId }))) throw notFound('school_not_found');
      const context = { schoolId, today: this.clock.today(), importId: randomUUID() };
      const { scan, errors, good, finish } = (await this.importDirect(tx, file, context)) ?? (await this.importStaged(tx, file, context));

      const summary = { ...importSummary(mode, dryRun, file, scan.rows, good, errors), schoolId };
      refuseIfAnyRowBad(summary, errors, { schoolId, imported: 0, created: 0, updated: 0, unchanged: 0, ignoredColumns: scan.layout.ignored });
      const { created, updated, statuses } = await finish();
      const lifecycle = await this.recordLifecycle(tx, actor, statuses.map((s) => s.id));
      const counts = { imported: good, created, updated, unchanged: good - created - updated, ...lifecycle };
      await this.audit.record(tx, actor, {
        action: 'student.imported',
        entityType: 'student_import',
        entityId: context.importId,
        schoolId,
        // Counts and the checksum only: no names, NISNs or file name (docs/privacy.md).
        after: { ...recorded(summary), ...counts },
      });
      const importId = dryRun ? null : context.importId;
      const language = answerLanguage(actor);
      return answer({ importId, ...summary, ...counts, errors: errors.list().map((e) => renderRowError(e, language)), ignoredColumns: scan.layout.ignored });
    }));
  }

  /**
   * COPYs the good rows straight into `students` as the file is parsed. A unique violation means
   * a NISN is already registered: everything is rolled back to the savepoint and null returned,
   * so that the staged way can update or refuse those rows.
   */
  private async importDirect(tx: EntityManager, file: CsvFile, context: ImportContext): Promise<Outcome | null> {
    const errors = new ImportErrors();
    /** The new students' lines in the file, and their fingerprints (starting with the student id), COPYed once the students are in. */
    const lines: number[] = [];
    let fingerprints: string[] = [];
    await runStatement(tx, STUDENT_IMPORT_SAVEPOINT, []);
    const { scan, copyText } = await scanStudentFile(file, context.today, errors, (line, row) => {
      const id = randomUUID();
      lines.push(line);
      fingerprints.push(fingerprintLine(id, this.fingerprints.id, this.fingerprints.of(row), context.schoolId, context.importId));
      return studentLine(id, context.schoolId, context.today, row);
    });
    try {
      await copyInto(tx, COPY_STUDENTS, copyText);
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await runStatement(tx, STUDENT_IMPORT_BACK_TO_SAVEPOINT, []);
      return null;
    }
    let good = scan.good;
    if (scan.demoted.length) {
      const demoted = new Set(scan.demoted);
      const ids = fingerprints.filter((_, i) => demoted.has(lines[i])).map((fp) => fp.slice(0, 36));
      good -= (await runStatement(tx, STUDENT_IMPORT_DELETE_DEMOTED_STUDENTS, [ids])).length;
      fingerprints = fingerprints.filter((_, i) => !demoted.has(lines[i]));
    }
    const finish = async (): Promise<Written> => {
      if (fingerprints.length) await copyInto(tx, COPY_FINGERPRINTS, () => inPieces(fingerprints));
      return { created: good, updated: 0, statuses: [] };
    };
    return { scan, errors, good, finish };
  }

  /** Every good row into a staging table; registered NISNs found and locked in one join; updates and inserts in one statement each. */
  private async importStaged(tx: EntityManager, file: CsvFile, context: ImportContext): Promise<Outcome> {
    const errors = new ImportErrors();
    await runStatement(tx, STUDENT_IMPORT_CREATE_STAGING, []);
    const { scan, copyText } = await scanStudentFile(file, context.today, errors, (line, row) => stagingLine(line, row, this.fingerprints.of(row)));
    await copyInto(tx, COPY_STAGING, copyText);
    let good = scan.good;
    if (scan.demoted.length) good -= (await runStatement(tx, STUDENT_IMPORT_DELETE_DEMOTED_ROWS, [scan.demoted])).length;
    await runStatement(tx, STUDENT_IMPORT_MATCH, []);
    const [other] = await runStatement(tx, STUDENT_IMPORT_OTHER_SCHOOL, [context.schoolId, LISTED_ERRORS]);
    for (const line of other.listed) errors.add({ ...importError(line, scan.layout.label.nisn!, 'nisn_at_other_school'), rank: scan.layout.position.nisn! });
    errors.countUnlisted(other.total - other.listed.length);
    good -= other.total;
    const finish = async (): Promise<Written> => {
      const [{ updated, statuses }] = await runStatement(tx, STUDENT_IMPORT_UPDATE, [context.schoolId, context.today]);
      const [{ created }] = await runStatement(tx, STUDENT_IMPORT_INSERT, [context.schoolId, context.today, context.importId, this.fingerprints.id]);
      return { created, updated, statuses };
    };
    return { scan, errors, good, finish };
  }

  /**
   * Students whose enrolment status the import changed: leaving and re-enrolling are audited as
   * PATCH /students audits them, and a leaver's active loans are flagged `return_due`.
   */
  private async recordLifecycle(tx: EntityManager, actor: Actor, ids: string[]): Promise<Lifecycle> {
    const result: Lifecycle = { left: 0, reenrolled: 0, loansFlagged: 0 };
    if (ids.length === 0) return result;
    const rows = await runStatement(tx, STUDENT_IMPORT_LIFECYCLE, [ids]);
    const leaving = (r: LifecycleRow) => r.was_status === 'enrolled' && r.enrolment_status !== 'enrolled';
    const leavers = rows.filter(leaving).map((r) => r.id);
    if (leavers.length) result.loansFlagged = (await runStatement(tx, STUDENT_IMPORT_ACTIVE_LOANS, [leavers]))[0].n;
    for (const row of rows) {
      const returning = row.was_status !== 'enrolled' && row.enrolment_status === 'enrolled';
      if (!leaving(row) && !returning) continue;
      const before = { id: row.id, schoolId: row.school_id, grade: row.was_grade, resident: row.was_resident, socialAid: row.was_social_aid, enrolmentStatus: row.was_status, leftAt: row.was_left_at, version: row.was_version };
      const after = { id: row.id, schoolId: row.school_id, grade: row.grade, resident: row.resident, socialAid: row.social_aid, enrolmentStatus: row.enrolment_status, leftAt: row.left_at, version: row.version };
      await this.audit.record(tx, actor, { action: leaving(row) ? 'student.left' : 'student.reenrolled', entityType: 'student', entityId: row.id, schoolId: row.school_id, before, after });
      if (leaving(row)) {
        result.left++;
        await this.students.flagActiveLoans(tx, actor, row.id, 'return_due');
      } else {
        result.reenrolled++;
      }
    }
    return result;
  }
}
