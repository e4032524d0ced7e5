import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { conflict, notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import { agreementQrPayload } from '../agreement/agreement-number.js';
import { wibDate } from '../agreement/indonesian.js';
import type { ReturnReceiptDocument } from './return-receipt-pdf.js';
import { RECEIPT_CHARGES, RECEIPT_LOAN } from './return-receipt.queries.js';

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
    // The PDF libraries load with the first document drawn, not at start-up (docs/decisions.md 88).
    const { renderReturnReceiptPdf } = await import('./return-receipt-pdf.js');
    return { fileName: `tanda-terima-${document.agreementNumber}.pdf`, content: await renderReturnReceiptPdf(document) };
  }

  async document(actor: Actor, loanId: string): Promise<ReturnReceiptDocument> {
    const [row] = await runStatement(this.dataSource.manager, RECEIPT_LOAN, [loanId]);
    if (!row) throw notFound('loan_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'loan_not_found');
    if (row.status !== 'returned' || !row.received_at) {
      throw conflict('no_return_receipt', { status: row.status }, { currentStatus: row.status });
    }
    this.accessLog.record(actor, 'loan.return-receipt-pdf', [{ id: row.student_id, schoolId: row.school_id }]);
    const charges = await runStatement(this.dataSource.manager, RECEIPT_CHARGES, [loanId]);
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
