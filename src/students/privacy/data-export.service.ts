import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toAuditEventResponse } from '../../audit/audit.service.js';
import type { AuditEventResponse } from '../../audit/dto/audit.dto.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { notFound } from '../../common/errors.js';
import { assertSchoolAccess } from '../../auth/access.js';
import { toStudentResponse } from '../dto/student.dto.js';
import { Student } from '../student.entity.js';
import {
  type ConsentRow,
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
      const q = (sql: string, params: unknown[] = [studentId]) => tx.query(sql, params);

      const consents: ConsentRow[] = await q(`SELECT * FROM guardian_consents WHERE student_id = $1 ORDER BY given_at, id`);
      // to_jsonb renders dates as YYYY-MM-DD and times as ISO-8601, whatever the column type.
      const rows = async (sql: string, params?: unknown[]) => ((await q(sql, params)) as { j: Row }[]).map((r) => r.j);
      const applications = await rows(`SELECT to_jsonb(a) AS j FROM applications a WHERE student_id = $1 ORDER BY applied_at, id`);
      const loans = await rows(`SELECT to_jsonb(l) AS j FROM loans l WHERE student_id = $1 ORDER BY issued_at, id`);
      const loanIds = loans.map((l) => l.id as string);
      // The drawn signatures as stored: the image itself (base64) while it is kept, and its hash.
      const signatures = await rows(
        `SELECT jsonb_build_object('loan_id', loan_id, 'sha256', encode(sha256, 'hex'), 'png_base64', translate(encode(png, 'base64'), E'\n', ''),
                'byte_size', byte_size, 'width', width, 'height', height, 'recorded_by', recorded_by, 'recorded_at', recorded_at,
                'anonymised_at', anonymised_at) AS j
         FROM loan_signatures WHERE student_id = $1`,
      );
      const [returns, extensions, losses, notifications] = await Promise.all([
        rows(`SELECT to_jsonb(r) AS j FROM loan_returns r WHERE loan_id = ANY($1::uuid[])`, [loanIds]),
        rows(`SELECT to_jsonb(e) AS j FROM loan_extensions e WHERE loan_id = ANY($1::uuid[]) ORDER BY extended_at, id`, [loanIds]),
        rows(`SELECT to_jsonb(x) AS j FROM loan_losses x WHERE loan_id = ANY($1::uuid[])`, [loanIds]),
        rows(
          `SELECT jsonb_build_object('id', id, 'kind', kind, 'loan_id', loan_id, 'level', level, 'recipient_type', recipient_type,
                  'recipient', recipient, 'payload', payload, 'status', status, 'created_at', created_at, 'sent_at', sent_at) AS j
           FROM outbox WHERE loan_id = ANY($1::uuid[]) AND recipient_type = 'guardian' ORDER BY created_at, id`,
          [loanIds],
        ),
      ]);
      const charges = await rows(`SELECT to_jsonb(c) AS j FROM charges c WHERE student_id = $1 ORDER BY created_at, id`);
      const entityIds = [studentId, ...loanIds, ...[...applications, ...charges, ...consents].map((r) => r.id as string)];
      const audit = await q(`SELECT * FROM audit_events WHERE entity_id = ANY($1::text[]) ORDER BY id`, [entityIds]);
      const access = await q(
        `SELECT id::text, occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id
         FROM student_access_log WHERE student_id = $1 ORDER BY occurred_at, id`,
      );
      const fingerprints = await rows(
        `SELECT jsonb_build_object('import_id', import_id, 'school_id', school_id, 'key_id', key_id, 'name_fp', name_fp::text,
                'birth_fp', birth_fp::text, 'card_fp', card_fp::text, 'accepted', accepted, 'recorded_at', recorded_at) AS j
         FROM student_import_fingerprints WHERE student_id = $1 ORDER BY recorded_at, import_id`,
      );
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
        auditEvents: audit.map(toAuditEventResponse) as AuditEventResponse[],
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
