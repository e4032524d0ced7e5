/**
 * Who may do what, declared once per operation of the OpenAPI document. The authorization matrix
 * (authorization-matrix.test.ts) sends every operation as every actor and compares the answer
 * with this table; an operation served by the API but missing here fails that test, so a new
 * endpoint cannot ship without someone deciding who may call it.
 *
 * Requests are aimed at school A's records (path ids, and ids in bodies), so:
 * - `own` is a school administrator of school A,
 * - `other` is a school administrator of school B (also checked through a school-B API key),
 * - a program administrator and an auditor are city-wide.
 * Unauthenticated callers (no token, malformed, wrong signature, expired, `alg: none`, a disabled
 * user's token, a revoked API key) get 401 on every operation except the public ones.
 *
 * The expectations come from src/auth/access.ts and docs/decisions.md (8): another school's record
 * is a 404 even for a write (checked before the role); an auditor gets 403 for every write; the
 * program office's resources (users, API keys, programs, catalogue, stock moves) are 403 for
 * everyone else; a write that names a school in its body is checked against that school.
 */

/** The cell's expected answer. `ok` is any 2xx. */
export type Expect = 'ok' | 403 | 404 | 422 | { ok: true; items: 403 | 404 };

export type RoleActor = 'program_admin' | 'auditor' | 'own' | 'other';

export interface OperationPolicy {
  /** No credentials needed: every caller gets the same answer as a program administrator. */
  public?: true;
  program_admin: Expect;
  auditor: Expect;
  own: Expect;
  other: Expect;
  /** Why, where the rule is not one of the usual shapes below. */
  note?: string;
  /**
   * The answer may name school A itself (its id) to another school's admin, by design. Nothing
   * else of school A's (students, devices, loans, ...) may ever appear.
   */
  namesSchools?: true;
  /** Ends the caller's own session (logout): a write every role may make, auditors included. */
  ownSession?: true;
}

const OK = 'ok' as const;
const PUBLIC: OperationPolicy = { public: true, program_admin: OK, auditor: OK, own: OK, other: OK };
/** City-wide reads, and lists that a school administrator sees filtered to their own school. */
const EVERYONE_READS: OperationPolicy = { program_admin: OK, auditor: OK, own: OK, other: OK };
/** Reading one of school A's records. */
const READ_SCHOOL_RECORD: OperationPolicy = { program_admin: OK, auditor: OK, own: OK, other: 404 };
/** The school's own operator may change it (`operate` in access.ts). */
const OPERATE: OperationPolicy = { program_admin: OK, auditor: 403, own: OK, other: 404 };
/** Only the program office may change this school record (`administer`): the school's own admin 403, another 404. */
const ADMINISTER: OperationPolicy = { program_admin: OK, auditor: 403, own: 403, other: 404 };
/** City-wide resources of the program office. */
const PROGRAM_ADMIN_ONLY: OperationPolicy = { program_admin: OK, auditor: 403, own: 403, other: 403 };
/** Program office and auditors (verification, reconciliation). */
const OVERSIGHT_READS: OperationPolicy = { program_admin: OK, auditor: OK, own: 403, other: 403 };

export const POLICY: Record<string, OperationPolicy> = {
  // ---------------------------------------------------------------- platform (public)
  'GET /health/live': PUBLIC,
  'GET /health/ready': PUBLIC,
  'GET /metrics': PUBLIC,
  'POST /api/v1/auth/login': { ...PUBLIC, note: 'public: credentials in the body; a token sent along is ignored' },
  'GET /api/v1/agreements/{number}/verify': { ...PUBLIC, note: 'public: anyone holding a printed agreement may check it (docs/agreements.md)' },

  // ---------------------------------------------------------------- auth, audit
  'GET /api/v1/auth/me': EVERYONE_READS,
  'POST /api/v1/auth/logout': { ...EVERYONE_READS, ownSession: true, note: "any role ends its own session; sent with a fresh token of the same user (world.ts sessionCredentials)" },
  'GET /api/v1/audit-events': { ...EVERYONE_READS, note: "school administrators see their own school's events" },
  'GET /api/v1/audit-events/verify': OVERSIGHT_READS,

  // ---------------------------------------------------------------- schools
  'POST /api/v1/schools': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/schools': EVERYONE_READS,
  'GET /api/v1/schools/{id}': READ_SCHOOL_RECORD,
  'PATCH /api/v1/schools/{id}': { ...ADMINISTER, note: 'school admins read their school record but the program office edits it (decisions 8)' },

  // ---------------------------------------------------------------- users and API keys (guard: program_admin)
  'POST /api/v1/users': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/users': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/users/{id}': PROGRAM_ADMIN_ONLY,
  'PATCH /api/v1/users/{id}': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/api-keys': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/api-keys': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/api-keys/{id}': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/api-keys/{id}/revoke': PROGRAM_ADMIN_ONLY,

  // ---------------------------------------------------------------- catalogue
  'POST /api/v1/device-models': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/device-models': EVERYONE_READS,
  'GET /api/v1/device-models/{id}': EVERYONE_READS,
  'PATCH /api/v1/device-models/{id}': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/procurement-batches': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/procurement-batches': EVERYONE_READS,
  'GET /api/v1/procurement-batches/{id}': EVERYONE_READS,

  // ---------------------------------------------------------------- devices
  'POST /api/v1/devices/import': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/devices': { ...ADMINISTER, note: 'registering a device at school A (body schoolId) is the program office\'s' },
  'GET /api/v1/devices': EVERYONE_READS,
  'GET /api/v1/devices/lookup': { ...READ_SCHOOL_RECORD, note: "looking up school A's asset tag" },
  'GET /api/v1/devices/labels.pdf': { ...READ_SCHOOL_RECORD, note: "labels for school A's devices (?schoolId=A)" },
  'GET /api/v1/devices/stock': EVERYONE_READS,
  'GET /api/v1/devices/reconciliation': OVERSIGHT_READS,
  'POST /api/v1/devices/transfers': { ...ADMINISTER, note: "moving school A's device: program office; another school's admin learns nothing (404)" },
  'GET /api/v1/devices/{id}': READ_SCHOOL_RECORD,
  'PATCH /api/v1/devices/{id}': OPERATE,
  'POST /api/v1/devices/{id}/transfer': ADMINISTER,
  'POST /api/v1/devices/{id}/retire': ADMINISTER,
  'POST /api/v1/devices/{id}/recover': ADMINISTER,
  'POST /api/v1/devices/{id}/repairs': OPERATE,
  'GET /api/v1/devices/{id}/repairs': READ_SCHOOL_RECORD,
  'POST /api/v1/devices/{id}/repairs/{repairId}/close': OPERATE,

  // ---------------------------------------------------------------- stock-takes
  'POST /api/v1/stocktakes': { ...OPERATE, note: 'opening a count at school A (body schoolId)' },
  'GET /api/v1/stocktakes': EVERYONE_READS,
  'GET /api/v1/stocktakes/{id}': READ_SCHOOL_RECORD,
  'POST /api/v1/stocktakes/{id}/scans': OPERATE,
  'POST /api/v1/stocktakes/{id}/close': OPERATE,

  // ---------------------------------------------------------------- students
  'POST /api/v1/students': { ...OPERATE, note: 'registering a student at school A (body schoolId)' },
  'POST /api/v1/students/import': { ...OPERATE, note: "importing school A's students (?schoolId=A); a school admin's default is their own school" },
  'GET /api/v1/students': EVERYONE_READS,
  'GET /api/v1/students/{id}': READ_SCHOOL_RECORD,
  'PATCH /api/v1/students/{id}': OPERATE,

  // ---------------------------------------------------------------- students' data rights
  'GET /api/v1/students/{id}/consents': READ_SCHOOL_RECORD,
  'POST /api/v1/students/{id}/consents': OPERATE,
  'POST /api/v1/students/{id}/consents/{consentId}/withdraw': OPERATE,
  'GET /api/v1/students/{id}/data-export': { ...READ_SCHOOL_RECORD, note: 'the right of access: read access to the student' },
  'POST /api/v1/students/anonymise-departed': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/student-access-log': OVERSIGHT_READS,

  // ---------------------------------------------------------------- programs
  'POST /api/v1/programs': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/programs': EVERYONE_READS,
  'GET /api/v1/programs/{id}': EVERYONE_READS,
  'PATCH /api/v1/programs/{id}': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/programs/{id}/terms': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/programs/{id}/terms': EVERYONE_READS,
  'GET /api/v1/programs/{id}/terms/{version}': EVERYONE_READS,
  'GET /api/v1/programs/{id}/quotas': {
    ...EVERYONE_READS,
    namesSchools: true,
    note: "a program's quotas (school id and a number) are program configuration, readable city-wide like the program itself",
  },
  'PUT /api/v1/programs/{id}/quotas': PROGRAM_ADMIN_ONLY,
  'GET /api/v1/programs/{programId}/eligibility/{studentId}': { ...READ_SCHOOL_RECORD, note: "school A's student" },
  'POST /api/v1/programs/{programId}/applications': { ...OPERATE, note: "applying for school A's student (body studentId)" },
  'GET /api/v1/programs/{programId}/applications': EVERYONE_READS,
  'GET /api/v1/programs/{programId}/applications/{id}': READ_SCHOOL_RECORD,
  'POST /api/v1/programs/{programId}/applications/{id}/withdraw': OPERATE,
  'GET /api/v1/programs/{programId}/duplicate-beneficiaries': {
    ...EVERYONE_READS,
    note: "a family with children at two schools is shown to each school with its own children only (the device count is the family's)",
  },
  'POST /api/v1/programs/{programId}/allocations': PROGRAM_ADMIN_ONLY,
  'POST /api/v1/programs/eligibility-preview': { ...PROGRAM_ADMIN_ONLY, note: "the rule editor's preview: program configuration, though it reads school A's student (body studentId)" },

  // ---------------------------------------------------------------- loans
  'POST /api/v1/loans': { ...OPERATE, note: "school A's student and device in the body" },
  'GET /api/v1/loans': EVERYONE_READS,
  'POST /api/v1/loans/bulk-issue': {
    ...OPERATE,
    other: { ok: true, items: 404 },
    note: 'each item succeeds or fails on its own: another school\'s student is a per-item 404 and nothing is issued',
  },
  'POST /api/v1/loans/bulk-return': {
    ...OPERATE,
    other: { ok: true, items: 404 },
    note: "each item succeeds or fails on its own: another school's loan is a per-item 404 and nothing is returned",
  },
  'GET /api/v1/loans/{id}': READ_SCHOOL_RECORD,
  'POST /api/v1/loans/{id}/return': OPERATE,
  'POST /api/v1/loans/{id}/extend': OPERATE,
  'POST /api/v1/loans/{id}/report-loss': OPERATE,
  'POST /api/v1/loans/{id}/transfer': { ...ADMINISTER, note: 'touches two schools: the program office moves a loan with its student' },
  'GET /api/v1/loans/{id}/agreement.pdf': READ_SCHOOL_RECORD,
  'GET /api/v1/loans/{id}/signature.png': { ...READ_SCHOOL_RECORD, note: "the guardian's drawn signature of school A's loan" },
  'GET /api/v1/loans/{id}/return-receipt.pdf': { ...READ_SCHOOL_RECORD, note: "the return receipt of school A's returned loan" },

  // ---------------------------------------------------------------- charges and price lists
  'GET /api/v1/charges': EVERYONE_READS,
  'POST /api/v1/charges/{id}/pay': OPERATE,
  'POST /api/v1/charges/{id}/waive': {
    ...OPERATE,
    note: 'the cell uses a hardship charge (waivable item, social-aid student), which the school may waive; any other charge is 403 for it (see CROSS_SCHOOL)',
  },
  'GET /api/v1/programs/{programId}/price-list': EVERYONE_READS,
  'PUT /api/v1/programs/{programId}/price-list': PROGRAM_ADMIN_ONLY,

  // ---------------------------------------------------------------- reports (school admins: their own school; another school's filter is a 404)
  'GET /api/v1/reports/coverage': EVERYONE_READS,
  'GET /api/v1/reports/stock-reconciliation': EVERYONE_READS,
  'GET /api/v1/reports/overdue': EVERYONE_READS,
  'GET /api/v1/reports/losses': EVERYONE_READS,
  'GET /api/v1/reports/activity': EVERYONE_READS,
  'GET /api/v1/reports/summary.pdf': EVERYONE_READS,
  'GET /api/v1/reports/evidence-pack.zip': { ...READ_SCHOOL_RECORD, note: "school A's evidence pack (?schoolId=A): auditors and program admins any school, a school admin their own (docs/evidence-pack.md)" },

  // ---------------------------------------------------------------- worklists (school admins: their own school; another school's filter is a 404)
  'GET /api/v1/worklists/overdue': EVERYONE_READS,
  'GET /api/v1/worklists/leavers': EVERYONE_READS,
  'GET /api/v1/worklists/open-charges': EVERYONE_READS,
  'GET /api/v1/worklists/awaiting-pickup': EVERYONE_READS,

  // ---------------------------------------------------------------- notifications
  'GET /api/v1/notifications': EVERYONE_READS,
  'POST /api/v1/notifications/run-reminders': PROGRAM_ADMIN_ONLY,
};

/**
 * Requests whose body (or query) names another school's records, or fields a caller may not set.
 * Each is sent as the given actor and must get the given answer, and a refused one changes nothing.
 * The world (world.ts) builds the request: `a.*` are school A's records, `b.*` school B's.
 */
export interface BodyCase {
  name: string;
  actor: RoleActor;
  expect: Expect | 400;
  why: string;
}

export const CROSS_SCHOOL: BodyCase[] = [
  { name: 'issue: A student + B device', actor: 'other', expect: 404, why: "the student is another school's: 404 before anything else" },
  { name: 'issue: B student + A device', actor: 'other', expect: 404, why: "the device is another school's: 404 (assertSchoolAccess on the device)" },
  { name: 'issue: A student + B device (program admin)', actor: 'program_admin', expect: 422, why: 'loans.service: a device not at the student\'s school is a business-rule refusal (transfer it first)' },
  { name: 'issue: A student + A device', actor: 'other', expect: 404, why: 'both records are another school\'s' },
  { name: 'apply: A student in a program', actor: 'other', expect: 404, why: 'applications are operated by the student\'s school' },
  { name: 'eligibility of A student', actor: 'other', expect: 404, why: 'reading a student of another school' },
  { name: 'bulk-issue: A student + A device', actor: 'other', expect: { ok: true, items: 404 }, why: 'per-item 404, nothing issued' },
  { name: 'bulk-issue: B student + A device', actor: 'other', expect: { ok: true, items: 404 }, why: 'per-item 404 for the device, nothing issued' },
  { name: 'bulk-return: A loan', actor: 'other', expect: { ok: true, items: 404 }, why: 'per-item 404, nothing returned' },
  { name: 'bulk transfer: A device to B', actor: 'other', expect: 404, why: "moving another school's device" },
  { name: 'bulk transfer: B device and A device to store', actor: 'other', expect: 404, why: 'all or nothing: one foreign device refuses the whole move' },
  { name: 'bulk transfer: A device (own school admin)', actor: 'own', expect: 403, why: 'transfers are the program office\'s' },
  { name: 'transfer: A device to B', actor: 'other', expect: 404, why: "another school's device" },
  { name: 'repair: A device', actor: 'other', expect: 404, why: "another school's device" },
  { name: 'stock-take at A', actor: 'other', expect: 404, why: 'opening a count at another school' },
  { name: 'register student at A', actor: 'other', expect: 404, why: 'body schoolId is another school' },
  { name: 'register device at A', actor: 'other', expect: 404, why: 'body schoolId is another school' },
  { name: 'move own student to A', actor: 'other', expect: 403, why: 'moving schools is the program office\'s; the student is the actor\'s own, so 403 not 404 (students.service)' },
  { name: 'close own stock-take relocating A devices', actor: 'other', expect: 403, why: 'relocating is a transfer (docs/devices.md)' },
  { name: 'allocation run for A', actor: 'other', expect: 403, why: 'allocation runs are the program office\'s' },
  { name: 'transfer loan of A to B', actor: 'other', expect: 404, why: "another school's loan" },
  { name: 'transfer loan to a school the student is not at', actor: 'program_admin', expect: 422, why: 'the loan follows the student (loan-changes.service)' },
  { name: 'waive a non-hardship charge (own school)', actor: 'own', expect: 403, why: 'only hardship waivers are the school\'s' },
  { name: 'report loss waiving replacement (own school)', actor: 'own', expect: 403, why: 'only program administrators waive the replacement charge' },
  { name: 'list students ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter: asking for another school is a 404' },
  { name: 'list devices ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list loans ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list charges ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list audit events ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list stock-takes ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list notifications ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'list applications ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'coverage report ?schoolId=A', actor: 'other', expect: 404, why: 'report-scope.ts: another school is a 404' },
  { name: 'overdue report ?schoolId=A', actor: 'other', expect: 404, why: 'report-scope.ts' },
  { name: 'summary PDF ?schoolId=A', actor: 'other', expect: 404, why: 'report-scope.ts' },
  { name: 'worklist overdue ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'worklist leavers ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'worklist open charges ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'worklist awaiting pick-up ?schoolId=A', actor: 'other', expect: 404, why: 'readableSchoolFilter' },
  { name: 'worklist overdue ?q=A NISN', actor: 'other', expect: 'ok', why: 'filtered to the own school: an empty page' },
  { name: 'labels for a batch holding A devices', actor: 'other', expect: 'ok', why: "a school admin's labels are their own school's devices only: none of A's tags" },
  { name: 'issue with a signature image that is not a PNG', actor: 'own', expect: 400, why: 'guardianSignaturePng is checked before anything is written' },
  { name: 'list loans ?studentId=A student', actor: 'other', expect: 'ok', why: 'filtered to the own school: an empty page, no A record' },
  { name: 'list charges ?studentId=A student', actor: 'other', expect: 'ok', why: 'filtered to the own school: an empty page' },
  { name: 'list devices ?q=A asset tag', actor: 'other', expect: 'ok', why: 'filtered to the own school: an empty page' },
  { name: 'list students ?q=A NISN', actor: 'other', expect: 'ok', why: 'filtered to the own school: an empty page' },
  // Mass assignment: fields a caller may not set are unknown to the request DTOs (400), or need the program office.
  { name: 'patch device status', actor: 'own', expect: 400, why: 'status changes only through its operations; unknown field' },
  { name: 'patch device schoolId', actor: 'own', expect: 400, why: 'location changes only through transfers; unknown field' },
  { name: 'issue with status and schoolId', actor: 'own', expect: 400, why: 'status, schoolId, issuedBy are not request fields' },
  { name: 'register student enrolled elsewhere', actor: 'own', expect: 400, why: 'enrolmentStatus, id and audit fields are not create fields' },
  { name: 'patch own user role', actor: 'own', expect: 403, why: 'users are the program office\'s' },
  { name: 'patch student version and createdAt', actor: 'own', expect: 400, why: 'audit fields are not request fields' },
];
