import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StudentAccessLog } from '../../src/students/privacy/student-access-log.js';
import { pseudonymFor } from '../../src/students/privacy/retention.service.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  type Cast,
  type Catalogue,
  expectProblem,
  get,
  issue,
  issued,
  type LoanBody,
  newCatalogue,
  newDevice,
  newProgram,
  newStudent,
  post,
  type ProgramBody,
  RETURN_OK,
  returnLoan,
  setPriceList,
} from '../loans/loan-fixtures.js';
import { newCast, newUser } from '../helpers/factories.js';

/**
 * Student data rights (docs/privacy.md): guardian consents, the data export, the retention job
 * and the access log, against a real PostgreSQL.
 */
let t: TestApp;
let cast: Cast;
let catalogue: Catalogue;
let program: ProgramBody;

beforeAll(async () => {
  // A long flush interval: the tests decide when the access log is written.
  t = await startTestApp({ ACCESS_LOG_FLUSH_MS: '60000', ACCESS_LOG_BATCH_SIZE: '10000', RETENTION_DAYS: '730' });
  cast = await newCast(t);
  catalogue = await newCatalogue(t);
  program = await newProgram(t, cast.admin);
  await setPriceList(t, cast.admin, program.id);
});
afterAll(() => t?.close());

const A = () => cast.schoolA.id;
const consentBody = (overrides: Record<string, unknown> = {}) => ({ purpose: 'laptop_loan', method: 'paper', evidenceRef: 'Arsip TU 2027/014', givenAt: '2025-01-20T09:30:00+07:00', ...overrides });

async function giveConsent(studentId: string, overrides: Record<string, unknown> = {}) {
  const res = await post(t, cast.operatorA, `/api/v1/students/${studentId}/consents`, consentBody(overrides), randomUUID());
  expect(res.status).toBe(201);
  return res.body as { id: string; withdrawnAt: string | null };
}

async function lend(studentId: string): Promise<LoanBody> {
  return issued(t, cast.operatorA, { programId: program.id, studentId, deviceId: await newDevice(t, catalogue, A()) });
}

describe('guardian consent', () => {
  it('withdrawing the latest laptop-loan consent blocks a new loan (422, guardian_consent), and is audited', async () => {
    const studentId = await newStudent(t, A());
    const consent = await giveConsent(studentId);

    const withdrawn = await post(t, cast.operatorA, `/api/v1/students/${studentId}/consents/${consent.id}/withdraw`, { reason: 'Orang tua menarik persetujuan' }, randomUUID());
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.withdrawnAt).toEqual(expect.any(String));
    const { rows: audit } = await t.db.query(`SELECT action, after FROM audit_events WHERE entity_id = $1 ORDER BY id`, [consent.id]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['consent.given', 'consent.withdrawn']);
    // The audit payload names nobody and repeats no free text.
    expect(JSON.stringify(audit)).not.toMatch(/Arsip|Orang tua/);

    const refused = await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId: await newDevice(t, catalogue, A()) });
    expectProblem(refused, 422);
    expect(refused.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'guardian_consent' })]));
    const eligibility = await get(t, cast.operatorA, `/api/v1/programs/${program.id}/eligibility/${studentId}`);
    expect(eligibility.body.rules.find((r: { rule: string }) => r.rule === 'guardian_consent')).toMatchObject({ passed: false });

    // Withdrawing twice is a conflict; consent given again (a new record) lifts the block.
    expectProblem(await post(t, cast.operatorA, `/api/v1/students/${studentId}/consents/${consent.id}/withdraw`, {}, randomUUID()), 409);
    await giveConsent(studentId, { givenAt: new Date().toISOString() });
    await lend(studentId);

    const list = await get(t, cast.operatorA, `/api/v1/students/${studentId}/consents`);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
  });

  it('no consent record at all does not block (the loan records its consent at issue); another school gets 404', async () => {
    const studentId = await newStudent(t, A());
    await lend(studentId);
    expectProblem(await get(t, cast.operatorB, `/api/v1/students/${studentId}/consents`), 404);
    expectProblem(await post(t, cast.operatorB, `/api/v1/students/${studentId}/consents`, consentBody(), randomUUID()), 404);
    expectProblem(await post(t, cast.auditor, `/api/v1/students/${studentId}/consents`, consentBody(), randomUUID()), 403);
  });
});

describe('data export', () => {
  it("holds the student's profile, consents, loans, returns, charges and audit events, and nothing of a sibling on the same family card", async () => {
    const [mine, sibling] = [await newStudent(t, A()), await newStudent(t, A())];
    await t.db.query(`UPDATE students SET family_card_number = '1271010101019999', full_name = CASE WHEN id = $1 THEN 'Putri Export' ELSE 'Budi Sibling' END WHERE id = ANY($2::uuid[])`, [mine, [mine, sibling]]);
    const myConsent = await giveConsent(mine);
    const siblingConsent = await giveConsent(sibling);
    const myLoan = await lend(mine);
    const returned = await returnLoan(t, cast.operatorA, myLoan.id, { ...RETURN_OK, checklist: { charger: false, bag: true } });
    expect(returned.status).toBe(200);
    const siblingLoan = await lend(sibling);
    const { rows: [sib] } = await t.db.query(`SELECT nisn FROM students WHERE id = $1`, [sibling]);
    // What a CSV import keeps about each of them (keyed fingerprints, docs/students-import.md).
    await t.db.query(
      `INSERT INTO student_import_fingerprints (student_id, key_id, name_fp, birth_fp, card_fp, school_id, import_id, accepted)
       SELECT id, 1, 11, 12, CASE WHEN id = $1 THEN 13 ELSE 99 END, school_id, gen_random_uuid(), true FROM students WHERE id = ANY($2::uuid[])`,
      [mine, [mine, sibling]],
    );

    const res = await get(t, cast.operatorA, `/api/v1/students/${mine}/data-export`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.student).toMatchObject({ id: mine, fullName: 'Putri Export', guardianName: 'Sri Wahyuni', familyCardNumber: '1271010101019999' });
    expect(body.consents.map((c: { id: string }) => c.id)).toEqual([myConsent.id]);
    expect(body.loans).toHaveLength(1);
    expect(body.loans[0]).toMatchObject({ id: myLoan.id, guardianName: 'Sri Wahyuni', termsText: expect.any(String), status: 'returned', return: expect.objectContaining({ condition: 'good' }) });
    expect(body.charges).toHaveLength(1);
    expect(body.charges[0]).toMatchObject({ loanId: myLoan.id, studentId: mine, itemCode: 'missing_charger' });
    const auditedEntities = new Set(body.auditEvents.map((e: { entityId: string }) => e.entityId));
    expect(auditedEntities).toEqual(new Set([myConsent.id, myLoan.id, body.charges[0].id]));
    expect(body.auditEvents.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['consent.given', 'loan.issued']));
    expect(body.importFingerprints).toEqual([expect.objectContaining({ nameFp: '11', birthFp: '12', cardFp: '13', accepted: true })]);

    // Nothing of the sibling: not their id, NISN, name, consent or loan.
    const text = JSON.stringify(body);
    for (const needle of [sibling, sib.nisn, 'Budi Sibling', siblingConsent.id, siblingLoan.id]) expect(text).not.toContain(needle);

    // Same school rules as every read; the export is a read, so auditors may make it.
    expectProblem(await get(t, cast.operatorB, `/api/v1/students/${mine}/data-export`), 404);
    expect((await get(t, cast.auditor, `/api/v1/students/${mine}/data-export`)).status).toBe(200);
    expectProblem(await get(t, cast.admin, `/api/v1/students/${randomUUID()}/data-export`), 404);
  });
});

describe('retention job', () => {
  async function departed(): Promise<string> {
    const id = await newStudent(t, A());
    await t.db.query(`UPDATE students SET family_card_number = '1271010101010777', class_name = '9A' WHERE id = $1`, [id]);
    await giveConsent(id);
    return id;
  }
  const leave = (id: string, daysAgo: number) =>
    t.db.query(`UPDATE students SET enrolment_status = 'graduated', left_at = current_date - $2::int WHERE id = $1`, [id, daysAgo]);

  async function counts() {
    const { rows } = await t.db.query(`
      SELECT (SELECT count(*) FROM students)::int AS students, (SELECT count(*) FROM loans)::int AS loans,
             (SELECT count(*) FROM charges)::int AS charges, (SELECT coalesce(sum(amount), 0)::bigint FROM charges)::text AS rupiah,
             (SELECT count(*) FROM devices)::int AS devices, (SELECT count(*) FROM device_movements)::int AS movements,
             (SELECT count(*) FROM loan_returns)::int AS returns, (SELECT count(*) FROM guardian_consents)::int AS consents,
             (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM devices GROUP BY status) d)::text AS device_statuses`);
    return rows[0];
  }

  it('anonymises departed students past the period, keeps counts and history, leaves held-back students alone, and the audit chain verifies', async () => {
    // Gone: returned its laptop, paid its charge, left 800 days ago.
    const gone = await departed();
    const goneLoan = await lend(gone);
    const ret = await returnLoan(t, cast.operatorA, goneLoan.id, { ...RETURN_OK, checklist: { charger: false, bag: true } });
    const paid = await post(t, cast.operatorA, `/api/v1/charges/${ret.body.charges[0].id}/pay`, { paymentReference: 'KWT-1' }, randomUUID());
    expect(paid.status).toBe(200);
    await leave(gone, 800);
    // Held back: still holds a laptop; still owes a charge; left too recently.
    const holding = await departed();
    await lend(holding);
    await leave(holding, 800);
    const owing = await departed();
    const owingLoan = await lend(owing);
    expect((await returnLoan(t, cast.operatorA, owingLoan.id, { ...RETURN_OK, checklist: { charger: false, bag: true } })).status).toBe(200);
    await leave(owing, 800);
    const recent = await departed();
    await leave(recent, 100);

    const { rows: [original] } = await t.db.query(`SELECT * FROM students WHERE id = $1`, [gone]);
    const before = await counts();

    expectProblem(await post(t, cast.operatorA, '/api/v1/students/anonymise-departed'), 403);
    const run = await post(t, cast.admin, '/api/v1/students/anonymise-departed');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ anonymised: 1, skipped: 2, loansScrubbed: 1 });

    // Counts and history intact: loans, charges (and their rupiah), devices and their statuses.
    expect(await counts()).toEqual(before);

    const { rows: [after] } = await t.db.query(`SELECT * FROM students WHERE id = $1`, [gone]);
    const { rows: consentsLeft } = await t.db.query(`SELECT evidence_ref FROM guardian_consents WHERE student_id = $1`, [gone]);
    expect(consentsLeft).toEqual([{ evidence_ref: null }]);
    expect(after).toMatchObject({
      full_name: 'Anonim', date_of_birth: null, class_name: null, guardian_name: null, guardian_relation: null, guardian_phone: null,
      family_card_number: null, anonymised_at: expect.any(Date), grade: original.grade, school_id: original.school_id, left_at: original.left_at,
    });
    expect(after.nisn).toBe(pseudonymFor(t.config.privacy.pseudonymSecret, original.nisn));
    expect(after.nisn).toMatch(/^X[A-Z2-7]{9}$/);
    const { rows: [loan] } = await t.db.query(`SELECT guardian_name, guardian_phone, status, device_id FROM loans WHERE id = $1`, [goneLoan.id]);
    expect(loan).toMatchObject({ guardian_name: 'Anonim', guardian_phone: null, status: 'returned', device_id: goneLoan.deviceId });

    // No trace of the original NISN or name anywhere it was kept as text.
    for (const needle of [original.nisn, original.full_name]) {
      const { rows: [{ n }] } = await t.db.query(
        `SELECT (SELECT count(*) FROM students WHERE nisn = $1 OR full_name = $1)
              + (SELECT count(*) FROM audit_events WHERE coalesce(before::text, '') LIKE $2 OR coalesce(after::text, '') LIKE $2)
              + (SELECT count(*) FROM idempotency_records WHERE coalesce(response_body, '') LIKE $2) AS n`,
        [needle, `%${needle}%`],
      );
      expect(Number(n)).toBe(0);
    }
    const { rows: idem } = await t.db.query(`SELECT 1 FROM idempotency_records WHERE response_body LIKE $1`, [`%${gone}%`]);
    expect(idem).toHaveLength(0);

    // The others are untouched.
    const { rows: kept } = await t.db.query(`SELECT id, anonymised_at, full_name FROM students WHERE id = ANY($1::uuid[])`, [[holding, owing, recent]]);
    expect(kept.every((s: { anonymised_at: Date | null; full_name: string }) => s.anonymised_at === null && s.full_name !== 'Anonim')).toBe(true);

    // The job wrote its own event with no personal data, and the chain still verifies.
    const { rows: events } = await t.db.query(`SELECT after FROM audit_events WHERE action = 'student.anonymised' AND entity_id = $1`, [gone]);
    expect(events).toHaveLength(1);
    const verify = await get(t, cast.auditor, '/api/v1/audit-events/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ valid: true, firstBrokenLink: null });

    // The anonymised student still reads as a record (reports keep counting them); a second run finds nothing.
    const read = await get(t, cast.operatorA, `/api/v1/students/${gone}`);
    expect(read.body).toMatchObject({ fullName: 'Anonim', dateOfBirth: null, guardianPhone: null });
    const again = await post(t, cast.admin, '/api/v1/students/anonymise-departed');
    expect(again.body).toMatchObject({ anonymised: 0 });
  });
});

describe('access log', () => {
  it('writes each read before its answer is sent, and answers "which students did X read between t1 and t2" in one call', async () => {
    const accessLog = t.app.get(StudentAccessLog);
    await accessLog.flush();
    const reader = await newUser(t, 'school_admin', A());
    const other = await newUser(t, 'school_admin', A());
    const [s1, s2, s3] = [await newStudent(t, A()), await newStudent(t, A()), await newStudent(t, A())];
    const t1 = new Date().toISOString();

    expect((await get(t, reader, `/api/v1/students/${s1}`)).status).toBe(200);
    expect((await get(t, reader, `/api/v1/students/${s2}/data-export`)).status).toBe(200);
    expect((await get(t, other, `/api/v1/students/${s3}`)).status).toBe(200);
    // Written on the request path: the rows are committed by the time each answer arrives, with
    // no flush (a replica killed right after answering loses nothing; docs/scaling.md).
    const { rows: [{ n: written }] } = await t.db.query(`SELECT count(*)::int AS n FROM student_access_log WHERE actor_id = $1`, [reader.id]);
    expect(written).toBe(2);

    const t2 = new Date(Date.now() + 1000).toISOString();
    const res = await get(t, cast.auditor, `/api/v1/student-access-log?actorId=${reader.id}&from=${encodeURIComponent(t1)}&to=${encodeURIComponent(t2)}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { studentId: string; operation: string }) => [e.studentId, e.operation])).toEqual([
      [s1, 'student.get'],
      [s2, 'student.data-export'],
    ]);
    expect(res.body.items[0]).toMatchObject({ actorType: 'user', actorId: reader.id, actorRole: 'school_admin', schoolId: A(), occurredAt: expect.any(String) });

    // A list logs every student on the page; pagination walks the log.
    const list = await get(t, reader, `/api/v1/students?schoolId=${A()}&limit=3`);
    expect(list.status).toBe(200);
    const listed = await get(t, cast.admin, `/api/v1/student-access-log?actorId=${reader.id}&limit=2`);
    expect(listed.body.items).toHaveLength(2);
    const next = await get(t, cast.admin, `/api/v1/student-access-log?actorId=${reader.id}&limit=10&cursor=${listed.body.nextCursor}`);
    expect(next.body.items.filter((e: { operation: string }) => e.operation === 'student.list')).toHaveLength(list.body.items.length);

    // Only auditors and program administrators may read the log.
    expectProblem(await get(t, reader, `/api/v1/student-access-log`), 403);
  });
});

describe('access log durability', () => {
  it('refuses the read (503, no student data) when its access-log row cannot be written', async () => {
    const reader = await newUser(t, 'school_admin', A());
    const student = await newStudent(t, A());
    await t.db.query(`CREATE FUNCTION pg_temp_refuse_access_log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'lock_not_available'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_access_log BEFORE INSERT ON student_access_log FOR EACH ROW EXECUTE FUNCTION pg_temp_refuse_access_log()`);
    try {
      const res = await get(t, reader, `/api/v1/students/${student}`);
      expectProblem(res, 503);
      expect(res.body).not.toHaveProperty('fullName');
      expect(res.body).not.toHaveProperty('nisn');
    } finally {
      await t.db.query(`DROP TRIGGER refuse_access_log ON student_access_log`);
      await t.db.query(`DROP FUNCTION pg_temp_refuse_access_log()`);
    }
    // Once the log accepts rows again, the same read answers and is logged.
    expect((await get(t, reader, `/api/v1/students/${student}`)).status).toBe(200);
    const { rows: [{ n }] } = await t.db.query(`SELECT count(*)::int AS n FROM student_access_log WHERE actor_id = $1`, [reader.id]);
    expect(n).toBe(1);
  });
});
