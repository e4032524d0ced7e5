import { statement } from '../../database/statements.js';
import { LOAN_DOCUMENT_FROM } from '../loan-columns.js';
import type { LoanStatus } from '../loan-status.js';

/** One loan's parties, device and signed terms, as the agreement PDF prints them. */
export interface AgreementRow {
  school_id: string;
  student_id: string;
  agreement_number: string;
  issued_at: Date;
  due_date: string;
  terms_version: number;
  terms_text: string;
  guardian_name: string;
  guardian_relation: string;
  guardian_phone: string | null;
  consent_signed_at: Date;
  consent_method: 'paper' | 'digital';
  program_code: string;
  program_name: string;
  school_name: string;
  school_npsn: string;
  school_district: string;
  student_name: string;
  nisn: string;
  grade: number;
  class_name: string | null;
  asset_tag: string;
  serial_number: string;
  accessories: Record<string, boolean>;
  manufacturer: string;
  model: string;
  category: string;
  issuer_name: string | null;
}

export const AGREEMENT_DOCUMENT = statement<AgreementRow>(
  'loan_agreement_document',
  `SELECT l.school_id, l.student_id, l.agreement_number, l.issued_at, l.due_date::text, l.terms_version, l.terms_text,
          l.guardian_name, l.guardian_relation, l.guardian_phone, l.consent_signed_at, l.consent_method,
          p.code AS program_code, p.name AS program_name,
          sc.name AS school_name, sc.npsn AS school_npsn, sc.district AS school_district,
          st.full_name AS student_name, st.nisn, st.grade, st.class_name,
          d.asset_tag, d.serial_number, d.accessories, m.manufacturer, m.model, m.category,
          u.name AS issuer_name
   ${LOAN_DOCUMENT_FROM}
   LEFT JOIN users u ON u.id = l.issued_by
   WHERE l.id = $1`,
);

/** The loan's extensions in order: the first one's previous due date is the date the guardian signed for. */
export const AGREEMENT_EXTENSIONS = statement<{ previous_due_date: string; new_due_date: string; extended_at: Date }>(
  'loan_agreement_extensions',
  `SELECT previous_due_date::text, new_due_date::text, extended_at FROM loan_extensions WHERE loan_id = $1 ORDER BY extended_at, id`,
);

/** The public check behind the QR code: only the status and the school to take the laptop back to. */
export const AGREEMENT_VERIFY = statement<{ status: LoanStatus; school_name: string }>(
  'loan_agreement_verify',
  `SELECT l.status, s.name AS school_name FROM loans l JOIN schools s ON s.id = l.school_id WHERE l.agreement_number = $1`,
);
