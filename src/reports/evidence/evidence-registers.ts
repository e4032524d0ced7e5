import type { ReportDb } from '../report-reader.js';
import { EVIDENCE_AGREEMENT_REGISTER, EVIDENCE_CHARGES_LEDGER } from './evidence.queries.js';

/** The agreement register and the charges ledger of a program (one school, or all), from one snapshot. */

export const AGREEMENT_COLUMNS = ['agreementNumber', 'status', 'schoolNpsn', 'schoolName', 'studentId', 'nisn', 'studentName', 'deviceId', 'assetTag', 'serialNumber', 'issuedAt', 'dueDate', 'returnedAt', 'closedAt', 'verifyUrl'] as const;
export const CHARGE_COLUMNS = ['chargeId', 'agreementNumber', 'schoolNpsn', 'studentId', 'nisn', 'itemCode', 'description', 'amount', 'status', 'createdAt', 'paidAt', 'paymentReference', 'waivedAt', 'waivedBy', 'waiveReason'] as const;

export type AgreementRow = Record<(typeof AGREEMENT_COLUMNS)[number], string | number | null> & { schoolId: string };
export type ChargeRow = Record<(typeof CHARGE_COLUMNS)[number], string | number | null> & { schoolId: string };

export async function agreementRegister(db: ReportDb, programId: string, schoolId: string | null, verifyUrl: (number: string) => string): Promise<AgreementRow[]> {
  const rows = await db.run(EVIDENCE_AGREEMENT_REGISTER, [programId, schoolId]);
  return rows.map((r) => ({ ...r, verifyUrl: verifyUrl(r.agreementNumber) }));
}

export function chargesLedger(db: ReportDb, programId: string, schoolId: string | null): Promise<ChargeRow[]> {
  return db.run(EVIDENCE_CHARGES_LEDGER, [programId, schoolId]);
}
