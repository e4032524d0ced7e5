import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { conflict, notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import { agreementQrPayload } from '../agreement/agreement-number.js';
import { wibDate } from '../agreement/indonesian.js';
import type { LoanStatus } from '../loan-status.js';
import { type ReturnReceiptDocument, renderReturnReceiptPdf } from './return-receipt-pdf.js';

interface ReceiptRow {
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

/** The return receipt of a returned loan: what came back, its condition, the charges, who took it. */
@Injectable()
export class ReturnReceiptService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessLog: StudentAccessLog,
  ) {}

  async pdf(actor: Actor, loanId: string): Promise<{ fileName: string; content: Buffer }> {
    const document = await this.document(actor, loanId);
    return { fileName: `tanda-terima-${document.agreementNumber}.pdf`, content: await renderReturnReceiptPdf(document) };
  }

  async document(actor: Actor, loanId: string): Promise<ReturnReceiptDocument> {
    const [row]: ReceiptRow[] = await this.dataSource.query(
      `SELECT l.school_id, l.student_id, l.status, l.agreement_number, l.issued_at, l.due_date::text, l.guardian_name,
              p.name AS program_name, sc.name AS school_name, sc.npsn AS school_npsn, sc.district AS school_district,
              st.full_name AS student_name, st.nisn, d.asset_tag, d.serial_number, d.accessories, m.manufacturer, m.model, m.category,
              r.received_at, u.name AS receiver_name, r.condition, r.checklist, r.damage_notes, r.next_status
       FROM loans l
       JOIN programs p ON p.id = l.program_id
       JOIN schools sc ON sc.id = l.school_id
       JOIN students st ON st.id = l.student_id
       JOIN devices d ON d.id = l.device_id
       JOIN device_models m ON m.id = d.model_id
       LEFT JOIN loan_returns r ON r.loan_id = l.id
       LEFT JOIN users u ON u.id = r.received_by
       WHERE l.id = $1`,
      [loanId],
    );
    if (!row) throw notFound('loan_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'loan_not_found');
    if (row.status !== 'returned' || !row.received_at) {
      throw conflict('no_return_receipt', { status: row.status }, { currentStatus: row.status });
    }
    this.accessLog.record(actor, 'loan.return-receipt-pdf', [{ id: row.student_id, schoolId: row.school_id }]);
    const charges: { description: string; amount: string; status: string }[] = await this.dataSource.query(
      `SELECT description, amount, status FROM charges WHERE loan_id = $1 ORDER BY created_at, id`,
      [loanId],
    );
    const checklist = row.checklist ?? {};
    // What the device was handed over with (the kit), and anything else the operator ticked.
    const items = [...new Set([...Object.keys(row.accessories).filter((k) => row.accessories[k]), ...Object.keys(checklist)])].sort();
    return {
      agreementNumber: row.agreement_number,
      verifyUrl: agreementQrPayload(this.config.publicBaseUrl, row.agreement_number, this.config.verifyLinkSecret),
      program: { name: row.program_name },
      school: { name: row.school_name, npsn: row.school_npsn, district: row.school_district },
      student: { fullName: row.student_name, nisn: row.nisn },
      guardianName: row.guardian_name,
      device: { assetTag: row.asset_tag, serialNumber: row.serial_number, manufacturer: row.manufacturer, model: row.model, category: row.category },
      issuedOn: wibDate(row.issued_at),
      dueDate: row.due_date,
      returned: {
        at: row.received_at,
        receivedBy: row.receiver_name,
        condition: row.condition!,
        checklist: items.map((item) => ({ item, returned: checklist[item] === true })),
        damageNotes: row.damage_notes,
        nextStatus: row.next_status!,
      },
      charges: charges.map((c) => ({ description: c.description, amount: Number(c.amount), status: c.status })),
    };
  }
}
