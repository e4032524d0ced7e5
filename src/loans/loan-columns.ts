/**
 * A loan's columns in the `Loan` entity's shape, for the statements that read one loan straight
 * into it: the loan read (LOAN_BY_ID) and the privacy module's logged read (LOAN_READ_LOGGED).
 */
export const LOAN_COLUMNS = `id, agreement_number AS "agreementNumber", program_id AS "programId", student_id AS "studentId",
  device_id AS "deviceId", school_id AS "schoolId", application_id AS "applicationId", status,
  issued_by AS "issuedBy", issued_at AS "issuedAt", due_date::text AS "dueDate", terms_version AS "termsVersion",
  terms_text AS "termsText", guardian_name AS "guardianName", guardian_relation AS "guardianRelation",
  guardian_phone AS "guardianPhone", consent_signed_at AS "consentSignedAt", consent_method AS "consentMethod",
  warnings, extensions, action_required AS "actionRequired", action_flagged_at AS "actionFlaggedAt",
  closed_at AS "closedAt", version`;
