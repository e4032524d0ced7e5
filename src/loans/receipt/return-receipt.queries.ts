import { statement } from '../../database/statements.js';
import { LOAN_DOCUMENT_FROM } from '../loan-columns.js';
import type { LoanStatus } from '../loan-status.js';

/** A loan with everything its return receipt prints; the return's columns are null before a return. */
export interface ReceiptRow {
  school_id: string;
  student_id: string;
  status: LoanStatus;
  agreement_number: string;
  issued_at: Date;
  due_date: string;
  guardian_name: string;
  program_name: string;
  school_name: string;
  school_npsn: string;
  school_district: string;
  student_name: string;
  nisn: string;
  asset_tag: string;
  serial_number: string;
  accessories: Record<string, boolean>;
  manufacturer: string;
  model: string;
  category: string;
  received_at: Date | null;
  receiver_name: string | null;
  condition: string | null;
  checklist: Record<string, boolean> | null;
  damage_notes: string | null;
  next_status: string | null;
}

export const RECEIPT_LOAN = statement<ReceiptRow>(
  'loan_receipt',
  `SELECT l.school_id, l.student_id, l.status, l.agreement_number, l.issued_at, l.due_date::text, l.guardian_name,
          p.name AS program_name, sc.name AS school_name, sc.npsn AS school_npsn, sc.district AS school_district,
          st.full_name AS student_name, st.nisn, d.asset_tag, d.serial_number, d.accessories, m.manufacturer, m.model, m.category,
          r.received_at, u.name AS receiver_name, r.condition, r.checklist, r.damage_notes, r.next_status
   ${LOAN_DOCUMENT_FROM}
   LEFT JOIN loan_returns r ON r.loan_id = l.id
   LEFT JOIN users u ON u.id = r.received_by
   WHERE l.id = $1`,
);

/** The loan's charges, in the order they were raised. */
export const RECEIPT_CHARGES = statement<{ description: string; amount: string; status: string }>(
  'loan_receipt_charges',
  `SELECT description, amount, status FROM charges WHERE loan_id = $1 ORDER BY created_at, id`,
);
