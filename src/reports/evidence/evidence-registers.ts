import type { ReportDb } from '../report-reader.js';

/** The agreement register and the charges ledger of a program (one school, or all), from one snapshot. */

export const AGREEMENT_COLUMNS = ['agreementNumber', 'status', 'schoolNpsn', 'schoolName', 'studentId', 'nisn', 'studentName', 'deviceId', 'assetTag', 'serialNumber', 'issuedAt', 'dueDate', 'returnedAt', 'closedAt', 'verifyUrl'] as const;
export const CHARGE_COLUMNS = ['chargeId', 'agreementNumber', 'schoolNpsn', 'studentId', 'nisn', 'itemCode', 'description', 'amount', 'status', 'createdAt', 'paidAt', 'paymentReference', 'waivedAt', 'waivedBy', 'waiveReason'] as const;

export type AgreementRow = Record<(typeof AGREEMENT_COLUMNS)[number], string | number | null> & { schoolId: string };
export type ChargeRow = Record<(typeof CHARGE_COLUMNS)[number], string | number | null> & { schoolId: string };

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export async function agreementRegister(db: ReportDb, programId: string, schoolId: string | null, verifyUrl: (number: string) => string): Promise<AgreementRow[]> {
  const rows: AgreementRow[] = await db.query(
    `SELECT l.agreement_number AS "agreementNumber", l.status, sc.npsn AS "schoolNpsn", sc.name AS "schoolName", l.school_id AS "schoolId",
            l.student_id AS "studentId", st.nisn, st.full_name AS "studentName", l.device_id AS "deviceId", d.asset_tag AS "assetTag",
            d.serial_number AS "serialNumber", ${iso('l.issued_at')} AS "issuedAt", l.due_date::text AS "dueDate",
            ${iso('r.received_at')} AS "returnedAt", ${iso('l.closed_at')} AS "closedAt"
     FROM loans l
     JOIN schools sc ON sc.id = l.school_id
     JOIN students st ON st.id = l.student_id
     JOIN devices d ON d.id = l.device_id
     LEFT JOIN loan_returns r ON r.loan_id = l.id
     WHERE l.program_id = $1 AND ($2::uuid IS NULL OR l.school_id = $2)
     ORDER BY l.agreement_number`,
    [programId, schoolId],
  );
  return rows.map((r) => ({ ...r, verifyUrl: verifyUrl(String(r.agreementNumber)) }));
}

export function chargesLedger(db: ReportDb, programId: string, schoolId: string | null): Promise<ChargeRow[]> {
  return db.query(
    `SELECT c.id AS "chargeId", l.agreement_number AS "agreementNumber", sc.npsn AS "schoolNpsn", c.school_id AS "schoolId",
            c.student_id AS "studentId", st.nisn, c.item_code AS "itemCode", c.description, c.amount::float8 AS amount, c.status,
            ${iso('c.created_at')} AS "createdAt", ${iso('c.paid_at')} AS "paidAt", c.payment_ref AS "paymentReference",
            ${iso('c.waived_at')} AS "waivedAt", c.waived_by AS "waivedBy", c.waive_reason AS "waiveReason"
     FROM charges c
     JOIN loans l ON l.id = c.loan_id
     JOIN schools sc ON sc.id = c.school_id
     JOIN students st ON st.id = c.student_id
     WHERE l.program_id = $1 AND ($2::uuid IS NULL OR c.school_id = $2)
     ORDER BY c.created_at, c.id`,
    [programId, schoolId],
  );
}
