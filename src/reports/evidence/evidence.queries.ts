import { statement } from '../../database/statements.js';

/** The program an evidence pack is for, with its dates as written (YYYY-MM-DD). */
export interface EvidenceProgram {
  id: string;
  code: string;
  name: string;
  starts_on: string;
  ends_on: string;
}

export const EVIDENCE_PROGRAM = statement<EvidenceProgram>('report_evidence_program', `SELECT id, code, name, starts_on::text, ends_on::text FROM programs WHERE id = $1`);

/*
 * The agreement register and the charges ledger of program $1 (one school $2, or all for null).
 * Instants are written in UTC as ISO 8601 with milliseconds, as the JSON reports write them.
 */

export interface AgreementRegisterRow {
  agreementNumber: string;
  status: string;
  schoolNpsn: string;
  schoolName: string;
  schoolId: string;
  studentId: string;
  nisn: string | null;
  studentName: string;
  deviceId: string;
  assetTag: string;
  serialNumber: string;
  issuedAt: string;
  dueDate: string;
  returnedAt: string | null;
  closedAt: string | null;
}

export const EVIDENCE_AGREEMENT_REGISTER = statement<AgreementRegisterRow>(
  'report_evidence_agreement_register',
  `SELECT l.agreement_number AS "agreementNumber", l.status, sc.npsn AS "schoolNpsn", sc.name AS "schoolName", l.school_id AS "schoolId",
          l.student_id AS "studentId", st.nisn, st.full_name AS "studentName", l.device_id AS "deviceId", d.asset_tag AS "assetTag",
          d.serial_number AS "serialNumber", to_char(l.issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "issuedAt", l.due_date::text AS "dueDate",
          to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "returnedAt",
          to_char(l.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "closedAt"
   FROM loans l
   JOIN schools sc ON sc.id = l.school_id
   JOIN students st ON st.id = l.student_id
   JOIN devices d ON d.id = l.device_id
   LEFT JOIN loan_returns r ON r.loan_id = l.id
   WHERE l.program_id = $1 AND ($2::uuid IS NULL OR l.school_id = $2)
   ORDER BY l.agreement_number`,
);

export interface ChargesLedgerRow {
  chargeId: string;
  agreementNumber: string;
  schoolNpsn: string;
  schoolId: string;
  studentId: string;
  nisn: string | null;
  itemCode: string | null;
  description: string;
  amount: number;
  status: string;
  createdAt: string;
  paidAt: string | null;
  paymentReference: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiveReason: string | null;
}

export const EVIDENCE_CHARGES_LEDGER = statement<ChargesLedgerRow>(
  'report_evidence_charges_ledger',
  `SELECT c.id AS "chargeId", l.agreement_number AS "agreementNumber", sc.npsn AS "schoolNpsn", c.school_id AS "schoolId",
          c.student_id AS "studentId", st.nisn, c.item_code AS "itemCode", c.description, c.amount::float8 AS amount, c.status,
          to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
          to_char(c.paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "paidAt", c.payment_ref AS "paymentReference",
          to_char(c.waived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "waivedAt", c.waived_by AS "waivedBy", c.waive_reason AS "waiveReason"
   FROM charges c
   JOIN loans l ON l.id = c.loan_id
   JOIN schools sc ON sc.id = c.school_id
   JOIN students st ON st.id = c.student_id
   WHERE l.program_id = $1 AND ($2::uuid IS NULL OR c.school_id = $2)
   ORDER BY c.created_at, c.id`,
);
