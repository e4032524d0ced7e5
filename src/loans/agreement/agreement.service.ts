import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import type { Actor } from '../../common/actor.js';
import { DomainError, invalidField, notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { agreementQrPayload, isVerifyCode, parseAgreementNumber } from './agreement-number.js';
import { RequestBudget } from '../../auth/login-attempts.js';
import type { AgreementDocument } from './agreement-pdf.js';
import { AGREEMENT_DOCUMENT, AGREEMENT_EXTENSIONS, AGREEMENT_VERIFY } from './agreement.queries.js';
import type { AgreementVerificationResponse } from './dto/agreement.dto.js';
import { wibDate } from './indonesian.js';
import { GuardianSignatures } from '../signature/guardian-signatures.js';

export interface AgreementFile {
  fileName: string;
  content: Buffer;
}

/**
 * The agreement as a document: gathers one loan's parties, device and signed terms for the PDF,
 * and answers the public check behind the QR code.
 */
@Injectable()
export class AgreementService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessLog: StudentAccessLog,
    private readonly signatures: GuardianSignatures,
    private readonly budget: RequestBudget,
  ) {}

  async pdf(actor: Actor, loanId: string): Promise<AgreementFile> {
    const document = await this.document(actor, loanId);
    // The PDF libraries load with the first document drawn, not at start-up (docs/decisions.md 88).
    const { renderAgreementPdf } = await import('./agreement-pdf.js');
    return { fileName: `${document.agreementNumber}.pdf`, content: await renderAgreementPdf(document) };
  }

  /** The plain data the PDF is drawn from; the terms are the loan's snapshot, never the program's current ones. */
  async document(actor: Actor, loanId: string): Promise<AgreementDocument> {
    const [row] = await runStatement(this.dataSource.manager, AGREEMENT_DOCUMENT, [loanId]);
    if (!row) throw notFound('loan_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'loan_not_found');
    this.accessLog.record(actor, 'loan.agreement-pdf', [{ id: row.student_id, schoolId: row.school_id }]);

    const [extensions, signature] = await Promise.all([
      runStatement(this.dataSource.manager, AGREEMENT_EXTENSIONS, [loanId]),
      this.signatures.forDocument(this.dataSource.manager, loanId),
    ]);
    return {
      agreementNumber: row.agreement_number,
      qrPayload: agreementQrPayload(this.config.publicBaseUrl, row.agreement_number, this.config.verifyLinkSecret),
      program: { code: row.program_code, name: row.program_name },
      school: { name: row.school_name, npsn: row.school_npsn, district: row.school_district },
      student: { fullName: row.student_name, nisn: row.nisn, grade: row.grade, className: row.class_name },
      guardian: { name: row.guardian_name, relation: row.guardian_relation, phone: row.guardian_phone },
      consent: { method: row.consent_method, signedAt: row.consent_signed_at },
      device: {
        assetTag: row.asset_tag,
        serialNumber: row.serial_number,
        manufacturer: row.manufacturer,
        model: row.model,
        category: row.category,
        accessories: row.accessories,
      },
      issuedOn: wibDate(row.issued_at),
      issuedBy: row.issuer_name,
      // The date the guardian signed for; an extension moves `loans.due_date` and keeps the old one.
      dueDate: extensions[0]?.previous_due_date ?? row.due_date,
      extensions: extensions.map((e) => ({ extendedOn: wibDate(e.extended_at), newDueDate: e.new_due_date })),
      terms: { version: row.terms_version, text: row.terms_text },
      signature,
    };
  }

  /**
   * Public: no credentials, so only what a finder of the laptop needs (is it a real agreement,
   * its status, the school to take it back to), rate-limited per address, and only for a link
   * carrying the number's code: a number without its code (walked, or typed from an agreement
   * printed before codes) is answered exactly like an unknown one (docs/decisions.md 39).
   */
  async verify(rawNumber: string, code: string | undefined, clientAddress: string): Promise<AgreementVerificationResponse> {
    await this.budget.reserve('verify', clientAddress, 60, this.config.verifyPerMinute);
    const agreementNumber = parseAgreementNumber(rawNumber);
    if (!agreementNumber) {
      throw invalidField('number', 'not_agreement_number');
    }
    const notFound = () => new DomainError('not-found', 'agreement_not_found', { agreementNumber }, { agreementNumber, valid: false });
    if (!isVerifyCode(this.config.verifyLinkSecret, agreementNumber, code)) throw notFound();
    const [row] = await runStatement(this.dataSource.manager, AGREEMENT_VERIFY, [agreementNumber]);
    if (!row) throw notFound();
    return { agreementNumber, valid: true, status: row.status, school: { name: row.school_name } };
  }
}
