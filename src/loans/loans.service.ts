import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertSchoolAccess } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { answerLanguage } from '../common/request-context.js';
import { addDays, Clock } from '../common/clock.js';
import { conflict, fieldError, invalidField, notFound, refused } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { Transactions } from '../database/transactions.js';
import type { DeviceStatus } from '../devices/device-status.js';
import { DeviceStates } from '../devices/device-state.js';
import { ApplicationStates } from '../programs/applications/application-state.js';
import { evaluateEligibility } from '../programs/eligibility/eligibility.js';
import { EligibilityFacts, type StudentContext } from '../programs/eligibility/eligibility-facts.js';
import type { Program } from '../programs/program.entity.js';
import { type IssueLoanRequest, type LoanResponse, toLoanAuditImage, toLoanResponse } from './dto/loan.dto.js';
import { Loan } from './loan.entity.js';
import { prepared, runStatement } from '../database/statements.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { GuardianSignatures } from './signature/guardian-signatures.js';
import { parseSignaturePng, type SignatureImage } from './signature/signature-png.js';

interface DeviceRow {
  id: string;
  school_id: string | null;
  status: DeviceStatus;
}

interface OpenApplication {
  id: string;
  status: 'pending' | 'allocated';
  device_id: string | null;
}

/** The issue's first reads (openIssue); absent rows are undefined or null. */
interface OpenedIssue {
  program: ProgramTerms | undefined;
  context: StudentContext | undefined;
  device: DeviceRow | null;
  application: OpenApplication | null;
}

// The statements of every issue, prepared once per connection (src/database/statements.ts).
type ProgramTerms = Pick<Program, 'id' | 'code' | 'startsOn' | 'endsOn' | 'loanDueDate' | 'loanDays' | 'maxTermDays' | 'rules' | 'termsVersion'>;
export const PROGRAM_FOR_ISSUE = prepared<ProgramTerms>(
  'issue_program',
  `SELECT id, code, starts_on::text AS "startsOn", ends_on::text AS "endsOn", loan_due_date::text AS "loanDueDate",
          loan_days AS "loanDays", max_term_days AS "maxTermDays", rules, terms_version AS "termsVersion"
   FROM programs WHERE id = $1`,
);
// The device and the student's open application (pending or allocated), both locked, in one
// round trip: the application decides whether a reserved device may go to this student, and is
// fulfilled by the issue.
export const LOCK_DEVICE_AND_APPLICATION = prepared<{ device: DeviceRow | null; application: OpenApplication | null }>(
  'issue_lock_device_and_application',
  `WITH device AS (SELECT id, school_id, status FROM devices WHERE id = $1 FOR UPDATE),
        application AS (SELECT id, status, device_id FROM applications
                        WHERE program_id = $2 AND student_id = $3 AND status IN ('pending', 'allocated') FOR UPDATE)
   SELECT (SELECT to_jsonb(device) FROM device) AS device, (SELECT to_jsonb(application) FROM application) AS application`,
);
// The agreement number (prefix + a number from the sequence, so concurrent issues never wait on
// each other for it; zero-padded to six digits, never cut: lpad alone would cut 1000000 to
// 100000) and the terms text as signed are taken inside the INSERT.
export const INSERT_LOAN = prepared<{ id: string; agreement_number: string; terms_text: string }>(
  'issue_insert_loan',
  `INSERT INTO loans (agreement_number, program_id, student_id, device_id, school_id, application_id, status, issued_by,
                      issued_at, due_date, terms_version, terms_text, guardian_name, guardian_relation, guardian_phone,
                      consent_signed_at, consent_method, warnings, extensions, version)
   SELECT $1 || lpad(n::text, greatest(6, length(n::text)), '0'), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, t.text,
          $12, $13, $14, $15, $16, $17, $18, $19
   FROM program_terms t, nextval('agreement_number_seq') AS n WHERE t.program_id = $2 AND t.version = $11
   RETURNING id, agreement_number, terms_text`,
);

/**
 * Issuing a loan: the whole agreement in one transaction. The device row lock makes concurrent
 * issues of one device take turns (the first wins, the rest see it on loan: 409); two partial
 * unique indexes make the database refuse a second active loan per device or per student and
 * program, whatever the code above them does.
 */
@Injectable()
export class LoansService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly eligibilityFacts: EligibilityFacts,
    private readonly applicationStates: ApplicationStates,
    private readonly deviceStates: DeviceStates,
    private readonly clock: Clock,
    private readonly signatures: GuardianSignatures,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issue(actor: Actor, request: IssueLoanRequest, idempotency: IdempotencyRequest): Promise<LoanResponse> {
    // Checked before the transaction: decoding an image holds no connection, and a bad one is a
    // 400 that never reaches the database.
    let signature: SignatureImage | undefined;
    if (request.guardianSignaturePng !== undefined) {
      if (request.guardianConsent.method !== 'digital') {
        throw invalidField('guardianConsent.method', 'signature_needs_digital');
      }
      signature = parseSignaturePng(request.guardianSignaturePng, this.config.signatureMaxBytes);
    }
    // The program, the student's facts and the locked device travel with BEGIN and the claim.
    return this.transactions.run<LoanResponse, OpenedIssue>(idempotency, (tx, opened) => this.issueIn(tx, actor, request, signature, opened), (tx) => this.openIssue(tx, request));
  }

  /**
   * What an issue reads first, all decided by the request alone, so sent together (one round
   * trip): the program, the student's facts, and the device with the student's open application,
   * locked. The checks on them run in the order they always did (program, student, device).
   */
  private async openIssue(tx: EntityManager, request: IssueLoanRequest): Promise<OpenedIssue> {
    const [[program], contexts, [{ device, application }]] = await Promise.all([
      runStatement(tx, PROGRAM_FOR_ISSUE, [request.programId]),
      this.eligibilityFacts.gather(tx, request.programId, [request.studentId]),
      runStatement(tx, LOCK_DEVICE_AND_APPLICATION, [request.deviceId, request.programId, request.studentId]),
    ]);
    return { program, context: contexts.get(request.studentId), device, application };
  }

  /** The use case inside a given transaction (the bulk issue runs each item in a savepoint). */
  async issueIn(tx: EntityManager, actor: Actor, request: IssueLoanRequest, signature?: SignatureImage, opened?: OpenedIssue): Promise<LoanResponse> {
    const today = this.clock.today();
    const { program, context, device, application } = opened ?? (await this.openIssue(tx, request));
    if (!program) throw notFound('program_not_found');
    if (!context) throw notFound('student_not_found');
    assertSchoolAccess(actor, context.schoolId, 'operate', 'student_not_found');

    if (!device) throw notFound('device_not_found');
    assertSchoolAccess(actor, device.school_id, 'operate', 'device_not_found');
    if (device.school_id !== context.schoolId) {
      throw refused('device_elsewhere', {}, { errors: [fieldError('deviceId', 'device_not_at_school')] });
    }
    const reservedForThisStudent = device.status === 'reserved' && application?.device_id === device.id;
    if (device.status !== 'in_stock' && !reservedForThisStudent) {
      throw conflict('device_not_available', { status: device.status }, { currentStatus: device.status });
    }
    // Already holding a loan in this program is a state conflict (409), like the unique index a
    // concurrent issue trips, not an eligibility refusal: checked before the rules so that
    // concurrent and sequential attempts get the same answer.
    if (context.activeLoansInProgram > 0) {
      throw conflict('student_has_loan', {}, { errors: [fieldError('studentId', 'student_has_active_loan')] });
    }

    const result = evaluateEligibility(
      this.eligibilityFacts.inputFor(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, today),
    );
    if (!result.eligible) {
      const failed = result.rules.filter((r) => !r.passed && r.severity === 'block');
      throw refused('not_eligible', {}, {
        errors: failed.map((r) => ({ field: r.rule, message: { key: `eligibility.${r.code}`, params: r.params } })),
        rules: result.rules,
      });
    }
    const dueDate = request.dueDate ?? program.loanDueDate ?? addDays(today, program.loanDays!);
    if (dueDate <= today) throw invalidField('dueDate', 'due_not_after_today', { today });
    // A due date the desk types must fit the program: not after it ends, not past its longest term.
    if (request.dueDate !== undefined) {
      if (request.dueDate > program.endsOn) throw invalidField('dueDate', 'due_after_program_end', { endsOn: program.endsOn });
      if (program.maxTermDays !== null && request.dueDate > addDays(today, program.maxTermDays)) {
        throw invalidField('dueDate', 'due_beyond_max_term', { days: program.maxTermDays, latest: addDays(today, program.maxTermDays) });
      }
    }
    // The guardian signed today or before, and not before the student was born.
    const signedOn = new Date(Date.parse(request.guardianConsent.signedAt) + 7 * 3600_000).toISOString().slice(0, 10); // in WIB
    if (Date.parse(request.guardianConsent.signedAt) > this.clock.now().getTime() + 5 * 60_000) throw invalidField('guardianConsent.signedAt', 'in_future');
    if (context.dateOfBirth && signedOn < context.dateOfBirth) throw invalidField('guardianConsent.signedAt', 'before_birth', { dateOfBirth: context.dateOfBirth });

    const consent = request.guardianConsent;
    const loan = tx.create(Loan, {
      programId: program.id,
      studentId: request.studentId,
      deviceId: device.id,
      schoolId: context.schoolId,
      applicationId: application?.id ?? null,
      status: 'active',
      issuedBy: actor.id,
      issuedAt: this.clock.now(),
      dueDate,
      termsVersion: program.termsVersion,
      guardianName: consent.name,
      guardianRelation: consent.relation,
      guardianPhone: consent.phone ?? null,
      consentSignedAt: new Date(consent.signedAt),
      consentMethod: consent.method,
      warnings: result.rules.filter((r) => !r.passed && r.severity === 'warn').map(({ rule, code, params }) => ({ rule, code, params })),
      extensions: 0,
      actionRequired: null,
      actionFlaggedAt: null,
      closedAt: null,
      version: 1,
    });
    // The loan and the device's new status: two statements, sent together.
    const lentFrom = device.status;
    await Promise.all([this.insertLoan(tx, loan, `${program.code}-${program.startsOn.slice(0, 4)}-`), this.deviceStates.change(tx, device, 'on_loan')]);

    if (application) await this.fulfil(tx, actor, application, device.id, context.schoolId);
    const signed = signature ? [await this.signatures.record(tx, actor, loan, signature)] : [];
    // The events, last as before; nothing reads their answer, so they travel with COMMIT.
    await this.transactions.sendWithCommit(
      tx,
      this.audit.record(
        tx,
        actor,
        { action: 'loan.issued', entityType: 'loan', entityId: loan.id, schoolId: loan.schoolId, after: toLoanAuditImage(loan) },
        { action: 'device.lent', entityType: 'device', entityId: device.id, schoolId: loan.schoolId, before: { status: lentFrom }, after: { status: 'on_loan', loanId: loan.id } },
        ...signed,
      ),
    );
    return toLoanResponse(loan, today, answerLanguage(actor));
  }

  /** Inserts the loan (one statement: see INSERT_LOAN) and fills in its id, number and terms. */
  private async insertLoan(tx: EntityManager, loan: Loan, numberPrefix: string): Promise<void> {
    const [row] = await runStatement(tx, INSERT_LOAN, [
      numberPrefix, loan.programId, loan.studentId, loan.deviceId, loan.schoolId, loan.applicationId, loan.status, loan.issuedBy,
      loan.issuedAt, loan.dueDate, loan.termsVersion, loan.guardianName, loan.guardianRelation, loan.guardianPhone,
      loan.consentSignedAt, loan.consentMethod, JSON.stringify(loan.warnings), loan.extensions, loan.version,
    ]);
    // Every program version has its terms row (programs.service writes both together).
    if (!row) throw new Error(`Program ${loan.programId} has no terms version ${loan.termsVersion}`);
    loan.id = row.id;
    loan.agreementNumber = row.agreement_number;
    loan.termsText = row.terms_text;
  }

  /** The application is fulfilled; a device reserved for it but not the one issued goes back to stock. */
  private async fulfil(tx: EntityManager, actor: Actor, application: OpenApplication, deviceId: string, schoolId: string) {
    if (application.device_id && application.device_id !== deviceId) {
      const reserved = (await this.deviceStates.lock(tx, application.device_id))!;
      const releasedFrom = reserved.status;
      await this.deviceStates.change(tx, reserved, 'in_stock');
      await this.audit.record(tx, actor, { action: 'device.released', entityType: 'device', entityId: application.device_id, schoolId, before: { status: releasedFrom }, after: { status: 'in_stock' } });
    }
    await this.applicationStates.change(tx, application, 'fulfilled', { deviceId });
    await this.audit.record(tx, actor, { action: 'application.fulfilled', entityType: 'application', entityId: application.id, schoolId, after: { status: 'fulfilled', deviceId } });
  }
}
