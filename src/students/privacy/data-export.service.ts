import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toAuditEventResponse } from '../../audit/audit-event-response.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { notFound } from '../../common/errors.js';
import { runStatement, type Statement } from '../../database/statements.js';
import { assertSchoolAccess } from '../../auth/access.js';
import { toStudentResponse } from '../dto/student.dto.js';
import { Student } from '../student.entity.js';
import {
  type DataExportResponse,
  type ExportedApplication,
  type ExportedCharge,
  type ExportedExtension,
  type ExportedImportFingerprint,
  type ExportedLoan,
  type ExportedLoss,
  type ExportedNotification,
  type ExportedReturn,
  type ExportedSignature,
  toConsentResponse,
} from './dto/privacy.dto.js';
import {
  DATA_EXPORT_ACCESS_LOG,
  DATA_EXPORT_APPLICATIONS,
  DATA_EXPORT_AUDIT_EVENTS,
  DATA_EXPORT_CHARGES,
  DATA_EXPORT_CONSENTS,
  DATA_EXPORT_EXTENSIONS,
  DATA_EXPORT_IMPORT_FINGERPRINTS,
  DATA_EXPORT_LOANS,
  DATA_EXPORT_LOSSES,
  DATA_EXPORT_NOTIFICATIONS,
  DATA_EXPORT_RETURNS,
  DATA_EXPORT_SIGNATURES,
  type ExportJson,
} from './data-export.queries.js';
import { StudentAccessLog, toAccessLogEntry } from './student-access-log.js';

/**
 * Everything the service holds about one student (the data protection law's right of access),
 * read in one repeatable-read snapshot so the parts agree with each other. Every query is keyed
 * by this student's id or by ids of records that belong to them, never by school or family card,
 * so no other student's data can come along.
 */
@Injectable()
export class DataExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: StudentAccessLog,
    private readonly clock: Clock,
  ) {}

  async export(actor: Actor, studentId: string): Promise<DataExportResponse> {
    const result = await this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const student = await tx.findOneBy(Student, { id: studentId });
      if (!student) throw notFound('student_not_found');
      assertSchoolAccess(actor, student.schoolId, 'read', 'student_not_found');
      const run = <Row>(statement: Statement<Row>, values: unknown[] = [studentId]) => runStatement(tx, statement, values);
      const rows = async (statement: Statement<ExportJson>, values?: unknown[]) => (await run(statement, values)).map((r) => r.j);

      const consents = await run(DATA_EXPORT_CONSENTS);
      const applications = await rows(DATA_EXPORT_APPLICATIONS);
      const loans = await rows(DATA_EXPORT_LOANS);
      const loanIds = loans.map((l) => l.id as string);
      const signatures = await rows(DATA_EXPORT_SIGNATURES);
      const [returns, extensions, losses, notifications] = await Promise.all([
        rows(DATA_EXPORT_RETURNS, [loanIds]),
        rows(DATA_EXPORT_EXTENSIONS, [loanIds]),
        rows(DATA_EXPORT_LOSSES, [loanIds]),
        rows(DATA_EXPORT_NOTIFICATIONS, [loanIds]),
      ]);
      const charges = await rows(DATA_EXPORT_CHARGES);
      const entityIds = [studentId, ...loanIds, ...[...applications, ...charges, ...consents].map((r) => r.id as string)];
      const audit = await run(DATA_EXPORT_AUDIT_EVENTS, [entityIds]);
      const access = await run(DATA_EXPORT_ACCESS_LOG);
      const fingerprints = await rows(DATA_EXPORT_IMPORT_FINGERPRINTS);
      const perLoan = <T>(list: Row[], id: string) => list.filter((r) => r.loan_id === id).map((r) => plain<T>(r));
      return {
        exportedAt: this.clock.now().toISOString(),
        student: toStudentResponse(student),
        consents: consents.map(toConsentResponse),
        applications: applications.map((a) => plain<ExportedApplication>(a)),
        loans: loans.map((l) => ({
          ...plain<Omit<ExportedLoan, 'return' | 'extensions' | 'loss' | 'guardianSignature'>>(l),
          return: perLoan<ExportedReturn>(returns, l.id as string)[0] ?? null,
          extensions: perLoan<ExportedExtension>(extensions, l.id as string),
          loss: perLoan<ExportedLoss>(losses, l.id as string)[0] ?? null,
          guardianSignature: perLoan<ExportedSignature>(signatures, l.id as string)[0] ?? null,
        })),
        charges: charges.map((c) => plain<ExportedCharge>(c)),
        notifications: notifications.map((n) => plain<ExportedNotification>(n)),
        auditEvents: audit.map(toAuditEventResponse),
        accessLog: access.map(toAccessLogEntry),
        importFingerprints: fingerprints.map((f) => plain<ExportedImportFingerprint>(f)),
      };
    });
    this.accessLog.record(actor, 'student.data-export', [{ id: studentId, schoolId: result.student.schoolId }]);
    return result;
  }
}

type Row = Record<string, unknown>;

/**
 * A row (as JSON) in the API's camelCase; nested JSON (eligibility, checklists) is left as stored.
 * `T` is the export's documented shape of that table; the HTTP suites check every answer against it.
 */
function plain<T>(row: Row): T {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value])) as T;
}
