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

/**
 * A loan with the parties and the device its printed documents name (`l` the loan, `p` its
 * program, `sc` its school, `st` its student, `d` the device, `m` the device's model): the FROM
 * of the agreement and the return receipt, which print the same people and the same laptop.
 */
export const LOAN_DOCUMENT_FROM = `FROM loans l
   JOIN programs p ON p.id = l.program_id
   JOIN schools sc ON sc.id = l.school_id
   JOIN students st ON st.id = l.student_id
   JOIN devices d ON d.id = l.device_id
   JOIN device_models m ON m.id = d.model_id`;
