import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomInt } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchedulerRegistry } from '@nestjs/schedule';
import type pg from 'pg';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import { createApp } from '../../src/app.js';
import { addDays, Clock } from '../../src/common/clock.js';
import { NotificationDispatcher } from '../../src/notifications/notification-dispatcher.js';
import { RemindersService } from '../../src/notifications/reminders.service.js';
import { newCast, type SchoolRow } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Reminders, overdue flags and their delivery, with the app's clock moved day by day. Loans are
 * seeded straight into the database; each test closes the loans of the tests before it, since the
 * job looks at every active loan.
 */

const DUE = '2027-06-30';
const PHONE = '+6281234567890';

let seq = 0;
const uniq = () => `${Date.now() % 100_000}${String(++seq).padStart(3, '0')}${randomInt(10)}`;

/** 08:00 in Jakarta on `date`: after the 07:00 run, well inside the day. */
function setToday(t: TestApp, date: string): void {
  t.app.get(Clock).travelTo(new Date(`${date}T01:00:00Z`));
}
const runJob = (t: TestApp) => t.app.get(RemindersService).run(SYSTEM_ACTOR);

interface Fixture {
  programId: string;
  modelId: string;
  batchId: string;
}

async function seedProgram(db: pg.Pool): Promise<Fixture> {
  const code = `RM${String.fromCharCode(65 + (seq++ % 26))}${String.fromCharCode(65 + randomInt(26))}`;
  const { rows: [program] } = await db.query(
    `INSERT INTO programs (code, name, starts_on, ends_on, loan_days) VALUES ($1, 'Laptop Pelajar 2027', '2020-01-01', '2099-12-31', 180) RETURNING id`,
    [code],
  );
  const { rows: [model] } = await db.query(`INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', $1, 'chromebook') RETURNING id`, [`C${uniq()}`]);
  const { rows: [batch] } = await db.query(
    `INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
     VALUES ($1, 'APBD 2027', '2027-01-15', 4500000, 100, $2) RETURNING id`,
    [`SPK/${uniq()}`, model.id],
  );
  return { programId: program.id, modelId: model.id, batchId: batch.id };
}

interface LoanOptions {
  dueDate?: string;
  /** The phone given with the guardian's consent; null for none. */
  phone?: string | null;
  /** The student record's guardian phone. */
  studentPhone?: string | null;
  status?: 'active' | 'returned';
  actionRequired?: string | null;
}

async function newLoan(db: pg.Pool, fx: Fixture, school: SchoolRow, options: LoanOptions = {}): Promise<{ id: string; agreementNumber: string }> {
  const n = uniq();
  const { rows: [student] } = await db.query(
    `INSERT INTO students (nisn, full_name, school_id, grade, date_of_birth, guardian_name, guardian_phone)
     VALUES ($1, 'Budi Santoso', $2, 8, '2013-04-01', 'Sri Wahyuni', $3) RETURNING id`,
    [String(1_000_000_000 + randomInt(8_999_999_999)), school.id, options.studentPhone ?? null],
  );
  const { rows: [device] } = await db.query(
    `INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id, status) VALUES ($1, $2, $3, $4, $5, 'on_loan') RETURNING id`,
    [`TAG-${n}`, `SN-${n}`, fx.modelId, fx.batchId, school.id],
  );
  const status = options.status ?? 'active';
  const agreementNumber = `RMD-2027-${n}`;
  const { rows: [loan] } = await db.query(
    `INSERT INTO loans (agreement_number, program_id, student_id, device_id, school_id, status, due_date, terms_version, terms_text,
                        guardian_name, guardian_relation, guardian_phone, consent_signed_at, consent_method, action_required, closed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 'Perangkat tetap milik Pemerintah Kota.', 'Sri Wahyuni', 'mother', $8, now(), 'paper', $9, $10)
     RETURNING id`,
    [agreementNumber, fx.programId, student.id, device.id, school.id, status, options.dueDate ?? DUE, options.phone === undefined ? PHONE : options.phone,
      options.actionRequired ?? null, status === 'active' ? null : new Date()],
  );
  return { id: loan.id, agreementNumber };
}

/** Keeps each test to its own loans: the job works on every active loan in the database. */
async function closeAllLoans(db: pg.Pool): Promise<void> {
  await db.query(`UPDATE loans SET status = 'returned', closed_at = now() WHERE status = 'active'`);
}

interface OutboxRow {
  id: string;
  kind: string;
  loan_id: string;
  school_id: string;
  level: string;
  level_days: number;
  recipient_type: string;
  recipient: string;
  payload: { message: string; agreementNumber: string; dueDate: string; daysFromDue: number };
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

async function outboxOf(db: pg.Pool, loanIds: string[]): Promise<OutboxRow[]> {
  const { rows } = await db.query(`SELECT * FROM outbox WHERE loan_id = ANY($1::uuid[]) ORDER BY loan_id, level_days`, [loanIds]);
  return rows;
}

/** The Jakarta date of a timestamp. */
const jakartaDate = (at: Date) => new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

describe('reminders without a gateway', () => {
  let t: TestApp;
  let cast: Awaited<ReturnType<typeof newCast>>;
  let fx: Fixture;

  beforeAll(async () => {
    t = await startTestApp();
    cast = await newCast(t);
    fx = await seedProgram(t.db);
  });
  afterAll(() => t?.close());
  beforeEach(() => closeAllLoans(t.db));

  it('writes each level once, on its day, however often the job runs', async () => {
    const loan = await newLoan(t.db, fx, cast.schoolA);
    const seen: Record<string, string[]> = {};
    for (let day = addDays(DUE, -5); day <= addDays(DUE, 16); day = addDays(day, 1)) {
      setToday(t, day);
      for (let i = 0; i < 3; i++) await runJob(t);
      seen[day] = (await outboxOf(t.db, [loan.id])).map((r) => r.level);
    }
    expect(seen[addDays(DUE, -4)]).toEqual([]);
    expect(seen[addDays(DUE, -3)]).toEqual(['before_3d']);
    expect(seen[DUE]).toEqual(['before_3d']);
    expect(seen[addDays(DUE, 1)]).toEqual(['before_3d', 'after_1d']);
    expect(seen[addDays(DUE, 6)]).toEqual(['before_3d', 'after_1d']);
    expect(seen[addDays(DUE, 7)]).toEqual(['before_3d', 'after_1d', 'after_7d']);
    expect(seen[addDays(DUE, 13)]).toEqual(['before_3d', 'after_1d', 'after_7d']);
    expect(seen[addDays(DUE, 14)]).toEqual(['before_3d', 'after_1d', 'after_7d', 'after_14d']);

    const rows = await outboxOf(t.db, [loan.id]);
    expect(rows.map((r) => [r.level_days, jakartaDate(r.created_at)])).toEqual([
      [-3, addDays(DUE, -3)],
      [1, addDays(DUE, 1)],
      [7, addDays(DUE, 7)],
      [14, addDays(DUE, 14)],
    ]);
    // The guardian levels go to the consent phone; the last escalates to the school (its NPSN).
    expect(rows.slice(0, 3).map((r) => [r.kind, r.recipient_type, r.recipient])).toEqual(Array(3).fill(['loan.reminder', 'guardian', PHONE]));
    expect(rows[3]).toMatchObject({ kind: 'loan.escalation', recipient_type: 'school', recipient: cast.schoolA.npsn, school_id: cast.schoolA.id });
    expect(rows.every((r) => r.status === 'queued' && r.attempts === 0)).toBe(true);
    // The payload carries the message and what identifies the agreement; no names.
    expect(rows[0].payload).toEqual({
      message: expect.stringContaining(loan.agreementNumber),
      agreementNumber: loan.agreementNumber,
      dueDate: DUE,
      daysFromDue: -3,
    });
    expect(rows[0].payload.message).toContain('30-06-2027');
    expect(rows[2].payload.message).toContain('terlambat 7 hari');
    expect(rows[3].payload.message).toMatch(/^\[Laptop Pelajar 2027\] Eskalasi/);
    for (const row of rows) expect(JSON.stringify(row.payload)).not.toMatch(/Budi|Santoso|Sri|Wahyuni/);
  });

  it('never writes a level twice, even from two runs at once', async () => {
    setToday(t, addDays(DUE, 7));
    const loans = await Promise.all(
      [-30, -3, -1, 0, 1, 3, 7, 8, 14, 20].map((offset) => newLoan(t.db, fx, cast.schoolA, { dueDate: addDays(addDays(DUE, 7), -offset) })),
    );
    const [viaHttp, direct] = await Promise.all([
      t.http().post('/api/v1/notifications/run-reminders').set('authorization', cast.admin.auth),
      runJob(t),
    ]);
    expect(viaHttp.status).toBe(200);
    const rows = await outboxOf(t.db, loans.map((l) => l.id));
    // Every loan whose first level has come has exactly one reminder: the latest level reached.
    expect(rows.map((r) => r.level).sort()).toEqual(['after_14d', 'after_14d', 'after_1d', 'after_1d', 'after_7d', 'after_7d', 'before_3d', 'before_3d', 'before_3d'].sort());
    expect(viaHttp.body.written + direct.written).toBe(rows.length);

    for (let i = 0; i < 3; i++) expect((await runJob(t)).written).toBe(0);
    expect(await outboxOf(t.db, loans.map((l) => l.id))).toHaveLength(rows.length);

    // The database itself refuses a second row for a loan and level.
    const copy = rows[0];
    await expect(
      t.db.query(`INSERT INTO outbox (kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        copy.kind, copy.loan_id, copy.school_id, copy.level, copy.level_days, copy.recipient_type, copy.recipient, copy.payload,
      ]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'outbox_loan_level_key' });
  });

  it('sends the reminder that fits today, not every level missed', async () => {
    setToday(t, addDays(DUE, 10));
    const loan = await newLoan(t.db, fx, cast.schoolA);
    const result = await runJob(t);
    expect(result).toMatchObject({ date: addDays(DUE, 10), written: 1, toSchools: 0 });
    expect(result.levels).toEqual([
      { level: 'before_3d', days: -3, written: 0 },
      { level: 'after_1d', days: 1, written: 0 },
      { level: 'after_7d', days: 7, written: 1 },
      { level: 'after_14d', days: 14, written: 0 },
    ]);
    const [row] = await outboxOf(t.db, [loan.id]);
    expect(row).toMatchObject({ level: 'after_7d', payload: { daysFromDue: 10 } });
    expect(row.payload.message).toContain('terlambat 10 hari');
  });

  it('sends nothing about returned loans', async () => {
    setToday(t, addDays(DUE, -3));
    const returned = await newLoan(t.db, fx, cast.schoolA, { status: 'returned' });
    const later = await newLoan(t.db, fx, cast.schoolA);
    await runJob(t);
    expect((await outboxOf(t.db, [later.id])).map((r) => r.level)).toEqual(['before_3d']);
    await t.db.query(`UPDATE loans SET status = 'returned', closed_at = now() WHERE id = $1`, [later.id]);
    for (let day = addDays(DUE, -2); day <= addDays(DUE, 40); day = addDays(day, 1)) {
      setToday(t, day);
      await runJob(t);
    }
    expect(await outboxOf(t.db, [returned.id])).toEqual([]);
    expect((await outboxOf(t.db, [later.id])).map((r) => r.level)).toEqual(['before_3d']);
  });

  it("uses the student's guardian phone when the consent has none, else tells the school", async () => {
    setToday(t, addDays(DUE, 1));
    const fromStudent = await newLoan(t.db, fx, cast.schoolA, { phone: null, studentPhone: '+6281398765432' });
    const noPhone = await newLoan(t.db, fx, cast.schoolB, { phone: null });
    expect(await runJob(t)).toMatchObject({ written: 2, toSchools: 1 });
    const [a] = await outboxOf(t.db, [fromStudent.id]);
    const [b] = await outboxOf(t.db, [noPhone.id]);
    expect(a).toMatchObject({ kind: 'loan.reminder', recipient_type: 'guardian', recipient: '+6281398765432' });
    expect(b).toMatchObject({ kind: 'loan.reminder', recipient_type: 'school', recipient: cast.schoolB.npsn, school_id: cast.schoolB.id, level: 'after_1d' });
    expect(b.payload.message).toContain('tidak memiliki nomor telepon');
  });

  it('stops reminders to a guardian who withdrew consent to notifications, and cancels the ones already queued', async () => {
    const consentFor = async (loanId: string) => {
      const { rows: [{ student_id: studentId }] } = await t.db.query(`SELECT student_id FROM loans WHERE id = $1`, [loanId]);
      const given = await t
        .http()
        .post(`/api/v1/students/${studentId}/consents`)
        .set('authorization', cast.admin.auth)
        .send({ purpose: 'guardian_notifications', method: 'paper', evidenceRef: 'Arsip TU 2027/001', givenAt: '2027-01-20T09:30:00+07:00' });
      expect(given.status).toBe(201);
      return { studentId, consentId: given.body.id as string };
    };
    const withdraw = (c: { studentId: string; consentId: string }) =>
      t.http().post(`/api/v1/students/${c.studentId}/consents/${c.consentId}/withdraw`).set('authorization', cast.admin.auth).send({ reason: 'Tidak ingin dihubungi' });

    // Queued before the withdrawal: given up in the withdrawal's own transaction.
    setToday(t, addDays(DUE, -3));
    const queued = await newLoan(t.db, fx, cast.schoolA);
    const keeps = await newLoan(t.db, fx, cast.schoolA);
    const queuedConsent = await consentFor(queued.id);
    await consentFor(keeps.id);
    expect(await runJob(t)).toMatchObject({ written: 2 });
    expect((await withdraw(queuedConsent)).status).toBe(200);
    const [cancelled] = await outboxOf(t.db, [queued.id]);
    expect(cancelled).toMatchObject({ recipient_type: 'guardian', status: 'dead', last_error: expect.stringMatching(/withdrew consent/) });
    const [untouched] = await outboxOf(t.db, [keeps.id]);
    expect(untouched).toMatchObject({ recipient_type: 'guardian', status: 'queued' });

    // Later levels: none to the opted-out guardian; the other guardian still gets theirs.
    setToday(t, addDays(DUE, 1));
    await runJob(t);
    expect((await outboxOf(t.db, [queued.id])).map((r) => [r.level, r.recipient_type, r.status])).toEqual([['before_3d', 'guardian', 'dead']]);
    expect((await outboxOf(t.db, [keeps.id])).map((r) => [r.level, r.recipient_type])).toEqual([['before_3d', 'guardian'], ['after_1d', 'guardian']]);
    // The escalation still goes to the school.
    setToday(t, addDays(DUE, 14));
    await runJob(t);
    expect((await outboxOf(t.db, [queued.id])).map((r) => r.recipient_type)).toEqual(['guardian', 'school']);
  });

  it('flags loans long overdue for their school once, audited, without closing them', async () => {
    const today = '2027-09-15';
    setToday(t, today);
    const days29 = await newLoan(t.db, fx, cast.schoolA, { dueDate: addDays(today, -29) });
    const days30 = await newLoan(t.db, fx, cast.schoolA, { dueDate: addDays(today, -30) });
    const days45 = await newLoan(t.db, fx, cast.schoolB, { dueDate: addDays(today, -45), actionRequired: 'return_due' });
    const transfer = await newLoan(t.db, fx, cast.schoolB, { dueDate: addDays(today, -60), actionRequired: 'transfer_needed' });
    const returned = await newLoan(t.db, fx, cast.schoolA, { dueDate: addDays(today, -60), status: 'returned' });

    const runs = [await runJob(t), await runJob(t), await runJob(t)];
    expect(runs.map((r) => r.flagged)).toEqual([2, 0, 0]);
    const state = async () => {
      const { rows } = await t.db.query(`SELECT id, status, action_required, action_flagged_at FROM loans WHERE id = ANY($1::uuid[])`, [
        [days29, days30, days45, transfer, returned].map((l) => l.id),
      ]);
      return Object.fromEntries(rows.map((r) => [r.id, r]));
    };
    let loans = await state();
    expect(loans[days29.id]).toMatchObject({ status: 'active', action_required: null });
    expect(loans[days30.id]).toMatchObject({ status: 'active', action_required: 'overdue_escalated' });
    expect(jakartaDate(loans[days30.id].action_flagged_at)).toBe(today);
    expect(loans[days45.id]).toMatchObject({ status: 'active', action_required: 'overdue_escalated' });
    expect(loans[transfer.id]).toMatchObject({ action_required: 'transfer_needed' });
    expect(loans[returned.id]).toMatchObject({ status: 'returned', action_required: null });

    setToday(t, addDays(today, 1));
    expect((await runJob(t)).flagged).toBe(1);
    loans = await state();
    expect(loans[days29.id]).toMatchObject({ action_required: 'overdue_escalated' });

    const { rows: events } = await t.db.query(
      `SELECT entity_id, school_id, actor_type, before, after FROM audit_events WHERE action = 'loan.overdue_flagged' AND entity_id = ANY($1::text[])`,
      [[days29, days30, days45, transfer, returned].map((l) => l.id)],
    );
    expect(events.map((e) => e.entity_id).sort()).toEqual([days29.id, days30.id, days45.id].sort());
    const e45 = events.find((e) => e.entity_id === days45.id);
    expect(e45).toMatchObject({ school_id: cast.schoolB.id, actor_type: 'system', before: { actionRequired: 'return_due' }, after: { actionRequired: 'overdue_escalated', daysOverdue: 45 } });
  });

  it('only program administrators run the job; a retry with the same key replays the answer', async () => {
    setToday(t, addDays(DUE, 1));
    await newLoan(t.db, fx, cast.schoolA);
    const post = (auth: string, key?: string) => {
      const req = t.http().post('/api/v1/notifications/run-reminders').set('authorization', auth);
      return key ? req.set('idempotency-key', key) : req;
    };
    expect((await post(cast.operatorA.auth)).status).toBe(403);
    expect((await post(cast.auditor.auth)).status).toBe(403);
    const first = await post(cast.admin.auth, 'run-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ date: addDays(DUE, 1), written: 1, toSchools: 0, flagged: 0 });
    const replay = await post(cast.admin.auth, 'run-1');
    expect(replay.text).toBe(first.text);
    expect((await post(cast.admin.auth, 'run-2')).body.written).toBe(0);
  });

  it('keeps rows queued without a gateway, listed by GET /notifications for those who may see them', async () => {
    setToday(t, addDays(DUE, 7));
    const a1 = await newLoan(t.db, fx, cast.schoolA);
    const a2 = await newLoan(t.db, fx, cast.schoolA, { dueDate: addDays(DUE, 3) });
    const b1 = await newLoan(t.db, fx, cast.schoolB);
    await runJob(t);
    expect(await t.app.get(NotificationDispatcher).dispatchDue()).toEqual({ sent: 0, failed: 0, dead: 0, cancelled: 0 });
    const ours = [a1.id, a2.id, b1.id];
    expect((await outboxOf(t.db, ours)).map((r) => [r.status, r.attempts])).toEqual(Array(3).fill(['queued', 0]));

    const list = (auth: string, query: Record<string, string | number> = {}) =>
      t.http().get('/api/v1/notifications').query(query).set('authorization', auth);
    const ids = (res: { body: { items: { loanId: string }[] } }) => res.body.items.map((i) => i.loanId).filter((id) => ours.includes(id)).sort();

    for (const who of [cast.admin, cast.auditor]) {
      const res = await list(who.auth, { status: 'queued' });
      expect(res.status).toBe(200);
      expect(ids(res)).toEqual([...ours].sort());
    }
    const one = await list(cast.admin.auth, { loanId: a1.id });
    expect(one.body.items).toEqual([
      expect.objectContaining({ loanId: a1.id, schoolId: cast.schoolA.id, kind: 'loan.reminder', level: 'after_7d', levelDays: 7, status: 'queued', attempts: 0, recipientType: 'guardian', recipient: PHONE, sentAt: null, lastError: null }),
    ]);
    expect(one.body.items[0].payload).toMatchObject({ agreementNumber: a1.agreementNumber, dueDate: DUE, daysFromDue: 7 });
    expect(ids(await list(cast.admin.auth, { level: 'after_1d' }))).toEqual([a2.id]);
    expect(ids(await list(cast.admin.auth, { schoolId: cast.schoolB.id }))).toEqual([b1.id]);
    expect((await list(cast.admin.auth, { status: 'sent', loanId: a1.id })).body.items).toEqual([]);

    // A school's operator sees their own school only; asking for another school is a 404.
    const mineA = await list(cast.operatorA.auth);
    expect(mineA.body.items.every((i: { schoolId: string }) => i.schoolId === cast.schoolA.id)).toBe(true);
    expect(ids(mineA)).toEqual([a1.id, a2.id].sort());
    const mineB = await list(cast.operatorB.auth);
    expect(mineB.body.items.every((i: { schoolId: string }) => i.schoolId === cast.schoolB.id)).toBe(true);
    expect(ids(mineB)).toEqual([b1.id]);
    expect((await list(cast.operatorB.auth, { loanId: a1.id })).body.items).toEqual([]);
    expect((await list(cast.operatorB.auth, { schoolId: cast.schoolA.id })).status).toBe(404);

    // Cursor pages walk every row once.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await list(cast.admin.auth, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      walked.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows: [{ count }] } = await t.db.query(`SELECT count(*)::int AS count FROM outbox`);
    expect(new Set(walked).size).toBe(count);
    expect(walked).toHaveLength(count);

    expect((await list(cast.admin.auth, { status: 'nope' })).status).toBe(400);
    expect((await list(cast.admin.auth, { level: 'D+7' })).status).toBe(400);
    expect((await list(cast.admin.auth, { cursor: 'garbage' })).status).toBe(400);
  });
});

/** A stand-in for the city's SMS gateway on 127.0.0.1. */
function fakeGateway() {
  const received: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const gateway = { mode: 'ok' as 'ok' | 'fail' | 'hang', delayMs: 0, received, server: undefined as unknown as Server, url: '' };
  gateway.server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      if (gateway.mode === 'hang') return;
      setTimeout(() => {
        res.writeHead(gateway.mode === 'ok' ? 202 : 500, { 'content-type': 'application/json' });
        res.end(gateway.mode === 'ok' ? '{"accepted":true}' : '{"error":"gateway down"}');
      }, gateway.delayMs);
    });
  });
  return {
    gateway,
    async start() {
      await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
      gateway.url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}/sms`;
    },
    async stop() {
      gateway.server.closeAllConnections();
      await new Promise((resolve) => gateway.server.close(resolve));
    },
  };
}

describe('delivery to the gateway', () => {
  const fake = fakeGateway();
  const gateway = fake.gateway;
  let t: TestApp;
  let cast: Awaited<ReturnType<typeof newCast>>;
  let fx: Fixture;
  const dispatch = () => t.app.get(NotificationDispatcher).dispatchDue();
  const sentFor = (id: string) => gateway.received.filter((r) => r.body.id === id);

  beforeAll(async () => {
    await fake.start();
    // The timer is set far off: these tests dispatch by hand, with the clock where they want it.
    t = await startTestApp({
      NOTIFY_WEBHOOK_URL: gateway.url,
      NOTIFY_WEBHOOK_TOKEN: 'gateway-token-0123456789',
      NOTIFY_DISPATCH_INTERVAL_MS: '3600000',
      NOTIFY_MAX_ATTEMPTS: '3',
      NOTIFY_RETRY_BASE_SECONDS: '60',
      // Generous: on a loaded CI machine a local round trip can take far longer than usual.
      NOTIFY_TIMEOUT_MS: '5000',
    });
    cast = await newCast(t);
    fx = await seedProgram(t.db);
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });
  beforeEach(async () => {
    gateway.mode = 'ok';
    gateway.delayMs = 0;
    await closeAllLoans(t.db);
  });

  it('posts each row once and marks it sent on a 2xx', async () => {
    setToday(t, addDays(DUE, -3));
    const loan = await newLoan(t.db, fx, cast.schoolA);
    await runJob(t);
    expect(await dispatch()).toEqual({ sent: 1, failed: 0, dead: 0, cancelled: 0 });
    expect(await dispatch()).toEqual({ sent: 0, failed: 0, dead: 0, cancelled: 0 });

    const [row] = await outboxOf(t.db, [loan.id]);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(jakartaDate(row.sent_at!)).toBe(addDays(DUE, -3));
    const [request] = sentFor(row.id);
    expect(sentFor(row.id)).toHaveLength(1);
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': row.id, authorization: 'Bearer gateway-token-0123456789' });
    expect(request.body).toEqual({
      id: row.id,
      kind: 'loan.reminder',
      level: 'before_3d',
      recipientType: 'guardian',
      recipient: PHONE,
      message: row.payload.message,
      agreementNumber: loan.agreementNumber,
      dueDate: DUE,
      daysFromDue: -3,
      createdAt: row.created_at.toISOString(),
    });
  });

  it('two replicas dispatching at once send every row exactly once', async () => {
    gateway.delayMs = 20;
    setToday(t, addDays(DUE, -3));
    const loans = await Promise.all(Array.from({ length: 45 }, () => newLoan(t.db, fx, cast.schoolA)));
    expect((await runJob(t)).written).toBe(45);
    // A second instance of the service on the same database, as another replica would be.
    const replica = await createApp(t.config, t.databaseUrl);
    await replica.init();
    try {
      replica.get(Clock).travelTo(t.app.get(Clock).now());
      const [a, b] = await Promise.all([dispatch(), replica.get(NotificationDispatcher).dispatchDue()]);
      expect(a.sent + b.sent).toBe(45);
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
    } finally {
      await replica.close();
    }
    const rows = await outboxOf(t.db, loans.map((l) => l.id));
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array(45).fill(['sent', 1]));
    for (const row of rows) expect(sentFor(row.id)).toHaveLength(1);
  });

  it('retries a failing gateway with growing waits, then gives up', async () => {
    gateway.mode = 'fail';
    setToday(t, addDays(DUE, 1));
    const loan = await newLoan(t.db, fx, cast.schoolA);
    await runJob(t);
    const clock = t.app.get(Clock);
    const row = async () => (await outboxOf(t.db, [loan.id]))[0];

    expect(await dispatch()).toMatchObject({ failed: 1 });
    let r = await row();
    expect(r).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 500: {"error":"gateway down"}' });
    expect(r.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThan(55_000);
    expect(r.next_attempt_at.getTime() - clock.now().getTime()).toBeLessThanOrEqual(60_000);

    // Not due yet: nothing is tried.
    expect(await dispatch()).toEqual({ sent: 0, failed: 0, dead: 0, cancelled: 0 });
    expect(sentFor(r.id)).toHaveLength(1);

    clock.travelTo(new Date(r.next_attempt_at.getTime() + 1000));
    expect(await dispatch()).toMatchObject({ failed: 1 });
    r = await row();
    expect(r).toMatchObject({ status: 'failed', attempts: 2 });
    // The wait doubled.
    expect(r.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThan(115_000);
    expect(r.next_attempt_at.getTime() - clock.now().getTime()).toBeLessThanOrEqual(120_000);

    clock.travelTo(new Date(r.next_attempt_at.getTime() + 1000));
    expect(await dispatch()).toMatchObject({ dead: 1 });
    r = await row();
    expect(r).toMatchObject({ status: 'dead', attempts: 3, sent_at: null });

    // Given up means given up, even once the gateway is back.
    gateway.mode = 'ok';
    clock.travelTo(new Date(clock.now().getTime() + 86_400_000));
    expect(await dispatch()).toEqual({ sent: 0, failed: 0, dead: 0, cancelled: 0 });
    expect(sentFor(r.id)).toHaveLength(3);

    const listed = await t.http().get('/api/v1/notifications').query({ loanId: loan.id, status: 'dead' }).set('authorization', cast.auditor.auth);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: r.id, status: 'dead', attempts: 3, lastError: 'HTTP 500: {"error":"gateway down"}' })]);
  });

  it('counts a gateway that does not answer in time as a failed attempt', async () => {
    gateway.mode = 'hang';
    setToday(t, addDays(DUE, 1));
    const loan = await newLoan(t.db, fx, cast.schoolA);
    await runJob(t);
    expect(await dispatch()).toMatchObject({ failed: 1 });
    expect((await outboxOf(t.db, [loan.id]))[0]).toMatchObject({ status: 'failed', attempts: 1, last_error: 'no answer within 5000 ms' });
  });

  it('does not send a reminder about a loan returned or extended since it was written', async () => {
    setToday(t, addDays(DUE, 1));
    const returned = await newLoan(t.db, fx, cast.schoolA);
    const extended = await newLoan(t.db, fx, cast.schoolA);
    await runJob(t);
    await t.db.query(`UPDATE loans SET status = 'returned', closed_at = now() WHERE id = $1`, [returned.id]);
    await t.db.query(`UPDATE loans SET due_date = '2027-12-20' WHERE id = $1`, [extended.id]);
    expect(await dispatch()).toEqual({ sent: 0, failed: 0, dead: 0, cancelled: 2 });
    for (const row of await outboxOf(t.db, [returned.id, extended.id])) {
      expect(row).toMatchObject({ status: 'dead', attempts: 0 });
      expect(row.last_error).toMatch(/^not sent/);
      expect(sentFor(row.id)).toEqual([]);
    }
  });
});

describe('the schedule', () => {
  const fake = fakeGateway();
  let t: TestApp;
  let closed = false;

  beforeAll(async () => {
    await fake.start();
    // Every second, so the test need not wait for 07:00.
    t = await startTestApp({ NOTIFY_WEBHOOK_URL: fake.gateway.url, NOTIFY_DISPATCH_INTERVAL_MS: '200', REMINDER_CRON: '* * * * * *' });
  });
  afterAll(async () => {
    if (!closed) await t?.close();
    await fake.stop();
  });

  it('runs the job and delivers on its own, and stops when the app closes', async () => {
    const cast = await newCast(t);
    const fx = await seedProgram(t.db);
    setToday(t, addDays(DUE, 7));
    const loan = await newLoan(t.db, fx, cast.schoolA);
    const deadline = Date.now() + 10_000;
    let rows: OutboxRow[] = [];
    while (Date.now() < deadline) {
      rows = await outboxOf(t.db, [loan.id]);
      if (rows[0]?.status === 'sent') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([expect.objectContaining({ level: 'after_7d', status: 'sent', attempts: 1 })]);
    expect(fake.gateway.received.filter((r) => r.body.id === rows[0].id)).toHaveLength(1);

    const registry = t.app.get(SchedulerRegistry);
    expect(registry.getCronJobs().size).toBe(1);
    await t.close();
    closed = true;
    expect(registry.getCronJobs().size).toBe(0);
  });
});
