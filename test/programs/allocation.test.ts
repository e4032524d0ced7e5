import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast, newUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Allocation runs on a seeded scenario with more applicants than laptops. Everything is seeded
 * straight into the database with fixed ids and times, so the expected winners below are worked
 * out by hand from the program's weights:
 *
 *   priority = 50 for any social aid + 20 for KIP + 1 per grade + 10 for a resident
 *
 * Queue order at each school: priority high to low, then applied first, then the lower
 * application id. Devices are handed out in asset-tag order.
 */

let t: TestApp;
let programs = 0;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: { id: string; model_id: string };

const RULES = { grades: { min: 7, max: 12 }, priority: { socialAid: 50, perAid: { KIP: 20 }, perGrade: 1, resident: 10 } };

/** Fixed ids: `tag` groups them per scenario so several scenarios can share one database. */
const uuid = (tag: number, kind: number, n: number) =>
  `00000000-${String(tag).padStart(4, '0')}-4000-8${String(kind).padStart(3, '0')}-${String(n).padStart(12, '0')}`;

interface Seeded {
  programId: string;
  schools: string[];
  students: Record<string, string>;
  applications: Record<string, string>;
  devices: Record<string, string>;
}

async function newProgram(): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/programs')
    .set('authorization', cast.admin.auth)
    .send({
      code: `AL${String.fromCharCode(65 + ++programs)}`,
      name: 'Laptop Pelajar 2027',
      startsOn: '2020-01-01',
      endsOn: '2099-12-31',
      loanDueDate: '2099-06-30',
      rules: RULES,
      termsText: 'Perangkat tetap milik Pemerintah Kota.',
    });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function school(id: string, level: string) {
  await t.db.query(`INSERT INTO schools (id, npsn, name, level, district) VALUES ($1, $2, $3, $4, 'Medan Kota')`, [
    id,
    String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
    `Sekolah ${id.slice(-4)}`,
    level,
  ]);
}

let nisn = 1_000_000_000;
async function student(id: string, schoolId: string, grade: number, socialAid: string[], resident: boolean, status = 'enrolled') {
  await t.db.query(
    `INSERT INTO students (id, nisn, full_name, school_id, grade, date_of_birth, resident, social_aid, enrolment_status, guardian_phone)
     VALUES ($1, $2, $3, $4, $5, '2012-01-01', $6, $7, $8, '+6281234567890')`,
    [id, String(++nisn), `Murid ${id.slice(-6)}`, schoolId, grade, resident, socialAid, status],
  );
}

async function device(id: string, schoolId: string | null, assetTag: string, status = 'in_stock') {
  await t.db.query(
    `INSERT INTO devices (id, asset_tag, serial_number, model_id, batch_id, school_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, assetTag, `SN-${assetTag}`, batch.model_id, batch.id, schoolId, status],
  );
}

/** `priority` is what applying stored; the run recomputes it from the student's facts today. */
async function application(id: string, programId: string, studentId: string, schoolId: string, priority: number, appliedAt: string, status = 'pending', deviceId: string | null = null) {
  await t.db.query(
    `INSERT INTO applications (id, program_id, student_id, school_id, status, priority, eligibility, applied_at, device_id)
     VALUES ($1, $2, $3, $4, $5, $6, '{"rules": []}', $7, $8)`,
    [id, programId, studentId, schoolId, status, priority, appliedAt, deviceId],
  );
}

/**
 * The scenario. Four schools:
 *
 * S1 (SMP): quota 2; in stock A1-001..A1-003 (A1-000 is in repair, so not stock).
 *   s1a grade 9, KIP, resident        = 50+20+9+10 = 89   08:00
 *   s1b grade 8, no aid, resident     =        8+10 = 18  08:01
 *   s1c grade 7, PKH, not resident    =       50+7 = 57   08:02
 *   s1d grade 9, no aid, not resident =           9       08:03
 *   s1e grade 6 (outside 7-12)        -> ineligible       07:00
 *   -> quota 2: s1a gets A1-001, s1c gets A1-002; s1b, s1d wait; s1e ineligible.
 *
 * S2 (SMA): no quota; in stock B2-001, B2-002.
 *   s2a grade 10, KIP, resident, but graduated since applying -> ineligible (would be 90)
 *   s2c grade 11, PKH, resident  = 50+11+10 = 71   09:01:00
 *   s2b grade 11, DTKS, resident = 71               09:05:00, id ...202
 *   s2d grade 11, DTKS, resident = 71               09:05:00, id ...201 (lower id than s2b)
 *   s2f grade 11, DTKS, resident = 71               09:05:00.0005 (half a millisecond after s2b/s2d), id ...200 (lowest)
 *   s2e grade 12, no aid, resident = 22             08:00
 *   -> s2c (applied first among the 71s) gets B2-001; s2d (same time as s2b, lower id) gets B2-002;
 *      waiting s2b, s2f (applied later, despite the lowest id), s2e.
 *
 * S3 (SMP): quota 2, one already allocated earlier (s3x holding C3-000, reserved); in stock C3-001, C3-002.
 *   s3a grade 8, KIP, resident = 88   10:00
 *   s3b grade 9, KIP, resident = 89   10:01
 *   -> one place left: s3b gets C3-001; s3a waits.
 *
 * S4 (SMP): no devices at all; s4a waits. A device in the central store is nobody's stock.
 */
async function seed(tag: number): Promise<Seeded> {
  const programId = await newProgram();
  const [S1, S2, S3, S4] = [1, 2, 3, 4].map((n) => uuid(tag, 1, n));
  await school(S1, 'SMP');
  await school(S2, 'SMA');
  await school(S3, 'SMP');
  await school(S4, 'SMP');

  const students: Record<string, string> = {};
  const applications: Record<string, string> = {};
  const devices: Record<string, string> = {};
  const people: [string, string, number, string[], boolean, number, string, number, string?][] = [
    // name, school, grade, aid, resident, priority, applied at, application number, status
    ['s1a', S1, 9, ['KIP'], true, 89, '2027-02-01T08:00:00Z', 110],
    ['s1b', S1, 8, [], true, 18, '2027-02-01T08:01:00Z', 111],
    ['s1c', S1, 7, ['PKH'], false, 57, '2027-02-01T08:02:00Z', 112],
    ['s1d', S1, 9, [], false, 9, '2027-02-01T08:03:00Z', 113],
    ['s1e', S1, 6, ['KIP'], true, 86, '2027-02-01T07:00:00Z', 114],
    ['s2a', S2, 10, ['KIP'], true, 90, '2027-02-01T09:00:00Z', 210, 'graduated'],
    ['s2b', S2, 11, ['DTKS'], true, 71, '2027-02-01T09:05:00Z', 202],
    ['s2c', S2, 11, ['PKH'], true, 71, '2027-02-01T09:01:00Z', 230],
    ['s2d', S2, 11, ['DTKS'], true, 71, '2027-02-01T09:05:00Z', 201],
    ['s2e', S2, 12, [], true, 22, '2027-02-01T08:00:00Z', 240],
    ['s2f', S2, 11, ['DTKS'], true, 71, '2027-02-01T09:05:00.0005Z', 200],
    ['s3a', S3, 8, ['KIP'], true, 88, '2027-02-01T10:00:00Z', 310],
    ['s3b', S3, 9, ['KIP'], true, 89, '2027-02-01T10:01:00Z', 311],
    ['s4a', S4, 8, ['KIP'], true, 88, '2027-02-01T08:00:00Z', 410],
  ];
  let n = 0;
  for (const [name, schoolId, grade, aid, resident, priority, appliedAt, appNo, status] of people) {
    students[name] = uuid(tag, 2, ++n);
    applications[name] = uuid(tag, 3, appNo);
    await student(students[name], schoolId, grade, aid, resident, status);
    await application(applications[name], programId, students[name], schoolId, priority, appliedAt);
  }
  n = 0;
  for (const [tagName, schoolId, status] of [
    ['A1-000', S1, 'in_repair'],
    ['A1-003', S1, 'in_stock'], // inserted out of order: devices go out by asset tag, not insertion
    ['A1-001', S1, 'in_stock'],
    ['A1-002', S1, 'in_stock'],
    ['B2-002', S2, 'in_stock'],
    ['B2-001', S2, 'in_stock'],
    ['C3-000', S3, 'reserved'],
    ['C3-001', S3, 'in_stock'],
    ['C3-002', S3, 'in_stock'],
    ['STORE-1', null, 'in_stock'],
  ] as const) {
    devices[tagName] = uuid(tag, 4, ++n);
    await device(devices[tagName], schoolId, `T${tag}-${tagName}`, status);
  }
  // s3x was allocated C3-000 by an earlier run.
  students.s3x = uuid(tag, 2, 99);
  applications.s3x = uuid(tag, 3, 399);
  await student(students.s3x, S3, 9, [], true);
  await application(applications.s3x, programId, students.s3x, S3, 19, '2027-01-01T00:00:00Z', 'allocated', devices['C3-000']);

  const quotas = await t
    .http()
    .put(`/api/v1/programs/${programId}/quotas`)
    .set('authorization', cast.admin.auth)
    .send({ quotas: [{ schoolId: S1, quota: 2 }, { schoolId: S3, quota: 2 }] });
  expect(quotas.status).toBe(200);
  return { programId, schools: [S1, S2, S3, S4], students, applications, devices };
}

/** What the run must decide, written out by hand from the scenario above. */
function expectedResult(s: Seeded) {
  const [S1, S2, S3, S4] = s.schools;
  const a = (name: string, tagName: string, priority: number) => ({ applicationId: s.applications[name], studentId: s.students[name], deviceId: s.devices[tagName], priority });
  // Every application not allocated says why: a code, its values, and a sentence (a failed rule also names the rule).
  type Reason = { rule?: string; code: string; params: Record<string, unknown>; message?: string };
  const because = (reason: Reason) => [{ message: expect.any(String), ...reason }];
  const w = (name: string, priority: number, reason: Reason) => ({ applicationId: s.applications[name], studentId: s.students[name], priority, reasons: because(reason) });
  const i = (name: string, reason: Reason) => ({ applicationId: s.applications[name], studentId: s.students[name], reasons: because(reason) });
  const quota = (q: number, already: number, inRun: number) => ({ code: 'quota_exhausted', params: { quota: q, alreadyAllocated: already, allocatedInRun: inRun } });
  const stock = (n: number, inRun: number) => ({ code: 'no_device_available', params: { stock: n, allocatedInRun: inRun } });
  return [
    {
      schoolId: S1, stock: 3, demand: 5, quota: 2, alreadyAllocated: 0,
      allocated: [a('s1a', 'A1-001', 89), a('s1c', 'A1-002', 57)],
      waiting: [w('s1b', 18, quota(2, 0, 2)), w('s1d', 9, quota(2, 0, 2))],
      ineligible: [i('s1e', { rule: 'grade_range', code: 'grade_outside', params: { grade: 6, min: 7, max: 12 }, message: 'Grade 6 is outside 7-12' })],
    },
    {
      schoolId: S2, stock: 2, demand: 6, quota: null, alreadyAllocated: 0,
      allocated: [a('s2c', 'B2-001', 71), a('s2d', 'B2-002', 71)],
      waiting: [w('s2b', 71, stock(2, 2)), w('s2f', 71, stock(2, 2)), w('s2e', 22, stock(2, 2))],
      ineligible: [i('s2a', { rule: 'enrolment', code: 'not_enrolled', params: { status: 'graduated' } })],
    },
    { schoolId: S3, stock: 2, demand: 2, quota: 2, alreadyAllocated: 1, allocated: [a('s3b', 'C3-001', 89)], waiting: [w('s3a', 88, quota(2, 1, 1))], ineligible: [] },
    { schoolId: S4, stock: 0, demand: 1, quota: null, alreadyAllocated: 0, allocated: [], waiting: [w('s4a', 88, stock(0, 0))], ineligible: [] },
  ];
}

const allocate = (programId: string, body: object = {}) =>
  t.http().post(`/api/v1/programs/${programId}/allocations`).set('authorization', cast.admin.auth).send(body);

/** Everything an allocation run may write, for "nothing changed" comparisons. */
async function snapshot() {
  const q = async (sql: string) => (await t.db.query(sql)).rows;
  return {
    devices: await q(`SELECT to_jsonb(d) AS row FROM devices d ORDER BY id`),
    applications: await q(`SELECT to_jsonb(a) AS row FROM applications a ORDER BY id`),
    audit: await q(`SELECT count(*)::int AS n, coalesce(max(id), 0)::int AS last FROM audit_events`),
    runs: await q(`SELECT count(*)::int AS n FROM allocation_runs`),
  };
}

const pairs = (schools: { allocated: { applicationId: string; deviceId: string }[] }[]) =>
  schools.flatMap((s) => s.allocated.map((a) => `${a.applicationId}->${a.deviceId}`)).sort();

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  const { rows } = await t.db.query(
    `WITH m AS (INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', 'C733', 'chromebook') RETURNING id)
     INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
     SELECT 'SPK/ALLOC/2027', 'APBD 2027', '2027-01-15', 4500000, 100, id FROM m RETURNING id, model_id`,
  );
  batch = rows[0];
});
afterAll(() => t?.close());

describe('an allocation run on a seeded program', () => {
  let s: Seeded;
  let dry: { runId: string | null; dryRun: boolean; allocated: number; schools: ReturnType<typeof expectedResult> };

  beforeAll(async () => {
    s = await seed(1);
  });

  it('a dry run returns the hand-computed plan and writes nothing', async () => {
    const before = await snapshot();
    const res = await allocate(s.programId, { dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId: null, dryRun: true, programId: s.programId, allocated: 5 });
    expect(res.body.schools).toEqual(expectedResult(s));
    expect(await snapshot()).toEqual(before);
    dry = res.body;
  });

  it('the real run makes exactly the dry run\'s allocations: devices reserved, applications allocated, audited', async () => {
    const res = await allocate(s.programId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ runId: expect.any(String), dryRun: false, allocated: 5 });
    expect(res.body.schools).toEqual(dry.schools);
    expect(pairs(res.body.schools)).toEqual(pairs(dry.schools));
    const runId = res.body.runId;

    const winners = ['s1a', 's1c', 's2c', 's2d', 's3b'];
    const { rows: apps } = await t.db.query(
      `SELECT id, status, device_id, allocation_run_id, decided_at IS NOT NULL AS decided FROM applications WHERE program_id = $1 AND status = 'allocated' AND id <> $2 ORDER BY id`,
      [s.programId, s.applications.s3x],
    );
    const deviceOf: Record<string, string> = { s1a: 'A1-001', s1c: 'A1-002', s2c: 'B2-001', s2d: 'B2-002', s3b: 'C3-001' };
    expect(apps).toEqual(
      winners
        .map((name) => ({ id: s.applications[name], status: 'allocated', device_id: s.devices[deviceOf[name]], allocation_run_id: runId, decided: true }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    // Everyone else is still pending (the ineligible ones too: they may qualify later).
    const { rows: pending } = await t.db.query(`SELECT id FROM applications WHERE program_id = $1 AND status = 'pending' ORDER BY id`, [s.programId]);
    expect(pending.map((r) => r.id)).toEqual(
      ['s1b', 's1d', 's1e', 's2a', 's2b', 's2e', 's2f', 's3a', 's4a'].map((n) => s.applications[n]).sort(),
    );

    const { rows: devices } = await t.db.query(`SELECT asset_tag, status FROM devices WHERE asset_tag LIKE 'T1-%' ORDER BY asset_tag`);
    expect(devices).toEqual([
      { asset_tag: 'T1-A1-000', status: 'in_repair' },
      { asset_tag: 'T1-A1-001', status: 'reserved' },
      { asset_tag: 'T1-A1-002', status: 'reserved' },
      { asset_tag: 'T1-A1-003', status: 'in_stock' },
      { asset_tag: 'T1-B2-001', status: 'reserved' },
      { asset_tag: 'T1-B2-002', status: 'reserved' },
      { asset_tag: 'T1-C3-000', status: 'reserved' },
      { asset_tag: 'T1-C3-001', status: 'reserved' },
      { asset_tag: 'T1-C3-002', status: 'in_stock' },
      { asset_tag: 'T1-STORE-1', status: 'in_stock' },
    ]);

    const { rows: audit } = await t.db.query(
      `SELECT action, entity_id, school_id, after->>'deviceId' AS device, after->>'applicationId' AS application FROM audit_events
       WHERE action IN ('application.allocated', 'device.reserved', 'program.allocation_run') ORDER BY id`,
    );
    const [S1, S2, S3] = s.schools;
    const schoolOf: Record<string, string> = { s1a: S1, s1c: S1, s2c: S2, s2d: S2, s3b: S3 };
    expect(audit.filter((r) => r.action === 'application.allocated')).toEqual(
      winners.map((n) => ({ action: 'application.allocated', entity_id: s.applications[n], school_id: schoolOf[n], device: s.devices[deviceOf[n]], application: null })),
    );
    expect(audit.filter((r) => r.action === 'device.reserved')).toEqual(
      winners.map((n) => ({ action: 'device.reserved', entity_id: s.devices[deviceOf[n]], school_id: schoolOf[n], device: null, application: s.applications[n] })),
    );
    expect(audit.filter((r) => r.action === 'program.allocation_run')).toEqual([
      { action: 'program.allocation_run', entity_id: s.programId, school_id: null, device: null, application: null },
    ]);
    const { rows: runs } = await t.db.query(`SELECT id, allocated, result->'schools' AS schools FROM allocation_runs WHERE program_id = $1`, [s.programId]);
    // The stored run keeps the reasons' codes and params; their words are written for each answer.
    const withoutWords = JSON.parse(JSON.stringify(res.body.schools, (key, value) => (key === 'message' ? undefined : value)));
    expect(runs).toEqual([{ id: runId, allocated: 5, schools: withoutWords }]);
  });

  it('the applications list shows the queue in the order the run used', async () => {
    const S2 = s.schools[1];
    const res = await t.http().get(`/api/v1/programs/${s.programId}/applications`).query({ schoolId: S2 }).set('authorization', cast.auditor.auth);
    expect(res.status).toBe(200);
    const tied = ['s2c', 's2d', 's2b', 's2f'].map((n) => s.applications[n]);
    expect(res.body.items.map((a: { id: string }) => a.id).filter((id: string) => tied.includes(id))).toEqual(tied);
  });

  it('a second run allocates nothing new once stock and quotas are used up, and explains why', async () => {
    const before = await snapshot();
    const res = await allocate(s.programId);
    expect(res.status).toBe(200);
    expect(res.body.allocated).toBe(0);
    const bySchool = Object.fromEntries(res.body.schools.map((r: { schoolId: string }) => [r.schoolId, r]));
    const [S1, S2, S3, S4] = s.schools;
    expect(bySchool[S1]).toMatchObject({ stock: 1, demand: 3, quota: 2, alreadyAllocated: 2, allocated: [] });
    expect(bySchool[S1].waiting.map((w: { applicationId: string }) => w.applicationId)).toEqual([s.applications.s1b, s.applications.s1d]);
    expect(bySchool[S2]).toMatchObject({ stock: 0, demand: 4, quota: null, alreadyAllocated: 2, allocated: [] });
    expect(bySchool[S2].waiting.map((w: { applicationId: string }) => w.applicationId)).toEqual([s.applications.s2b, s.applications.s2f, s.applications.s2e]);
    expect(bySchool[S3]).toMatchObject({ stock: 1, demand: 1, quota: 2, alreadyAllocated: 2, allocated: [] });
    expect(bySchool[S4]).toMatchObject({ stock: 0, demand: 1, allocated: [] });
    const after = await snapshot();
    expect(after.devices).toEqual(before.devices);
    expect(after.applications).toEqual(before.applications);
  });

  it('new stock goes to the next in line', async () => {
    const S2 = s.schools[1];
    await device(randomUUID(), S2, 'T1-B2-003');
    const res = await allocate(s.programId, { schoolId: S2 });
    expect(res.status).toBe(200);
    expect(res.body.schools.map((r: { schoolId: string }) => r.schoolId)).toEqual([S2]);
    expect(res.body.schools[0].allocated.map((a: { applicationId: string }) => a.applicationId)).toEqual([s.applications.s2b]);
  });

  it('only program admins run allocations (403); an unknown program is a 404', async () => {
    for (const user of [cast.operatorA, cast.auditor]) {
      expect((await t.http().post(`/api/v1/programs/${s.programId}/allocations`).set('authorization', user.auth).send({ dryRun: true })).status).toBe(403);
    }
    expect((await allocate(randomUUID(), { dryRun: true })).status).toBe(404);
    expect((await allocate(s.programId, { dryRun: 'yes' })).status).toBe(400);
  });
});

describe('concurrent allocation runs', () => {
  async function checkNoDoubleReservation() {
    const { rows: twice } = await t.db.query(
      `SELECT device_id, count(*)::int AS n FROM applications WHERE status = 'allocated' GROUP BY device_id HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*) FROM devices WHERE status = 'reserved')::int AS reserved,
              (SELECT count(*) FROM applications WHERE status = 'allocated')::int AS allocated,
              (SELECT count(*) FROM applications a JOIN devices d ON d.id = a.device_id
                WHERE a.status = 'allocated' AND (d.status <> 'reserved' OR d.school_id <> a.school_id))::int AS mismatched`,
    );
    expect(rows[0].reserved).toBe(rows[0].allocated);
    expect(rows[0].mismatched).toBe(0);
  }

  it('5 runs of one program at once: each device reserved once, the same winners as a single run, no 5xx', async () => {
    const s = await seed(2);
    const dry = await allocate(s.programId, { dryRun: true });
    const results = await Promise.all(Array.from({ length: 5 }, () => allocate(s.programId)));
    for (const r of results) expect(r.status).toBe(200);
    expect(results.map((r) => r.body.allocated).sort()).toEqual([0, 0, 0, 0, 5]);
    const first = results.find((r) => r.body.allocated === 5)!;
    expect(pairs(first.body.schools)).toEqual(pairs(dry.body.schools));
    await checkNoDoubleReservation();
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM allocation_runs WHERE program_id = $1`, [s.programId]);
    expect(rows[0].n).toBe(5);
  });

  it('runs of two programs competing for one school\'s devices at once never reserve a device twice', async () => {
    const programs = [await newProgram(), await newProgram()];
    const schoolId = uuid(3, 1, 1);
    await school(schoolId, 'SMP');
    for (let d = 0; d < 6; d++) await device(uuid(3, 4, d), schoolId, `T3-D${d}`);
    for (let n = 0; n < 16; n++) {
      await student(uuid(3, 2, n), schoolId, 7 + (n % 6), n % 3 ? ['KIP'] : [], true);
      await application(uuid(3, 3, n), programs[n % 2], uuid(3, 2, n), schoolId, 0, `2027-02-01T08:${String(n).padStart(2, '0')}:00Z`);
    }
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => allocate(programs[i % 2])));
    for (const r of results) expect(r.status).toBe(200);
    const total = results.reduce((n, r) => n + r.body.allocated, 0);
    expect(total).toBe(6);
    await checkNoDoubleReservation();
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM devices WHERE school_id = $1 AND status = 'reserved'`, [schoolId]);
    expect(rows[0].n).toBe(6);
  });
});

describe('an allocation run racing withdrawals', () => {
  it('never leaves a device reserved for an application that was withdrawn meanwhile', async () => {
    const programId = await newProgram();
    const schoolId = uuid(4, 1, 1);
    await school(schoolId, 'SMP');
    const operator = await newUser(t, 'school_admin', schoolId);
    const count = 40;
    for (let n = 0; n < count; n++) {
      await device(uuid(4, 4, n), schoolId, `T4-D${String(n).padStart(3, '0')}`);
      await student(uuid(4, 2, n), schoolId, 8, ['KIP'], true);
      await application(uuid(4, 3, n), programId, uuid(4, 2, n), schoolId, 88, `2027-02-01T08:00:${String(n).padStart(2, '0')}Z`);
    }
    const withdraw = (n: number) =>
      t.http().post(`/api/v1/programs/${programId}/applications/${uuid(4, 3, n)}/withdraw`).set('authorization', operator.auth).send({});
    const [run, ...withdrawals] = await Promise.all([allocate(programId), ...Array.from({ length: count }, (_, n) => withdraw(count - 1 - n))]);
    expect(run.status).toBe(200);
    for (const w of withdrawals) expect(w.status).toBe(200);
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*) FROM devices WHERE school_id = $1 AND status = 'reserved')::int AS reserved,
              (SELECT count(*) FROM applications WHERE program_id = $2 AND status = 'allocated')::int AS allocated`,
      [schoolId, programId],
    );
    expect(rows[0]).toEqual({ reserved: 0, allocated: 0 });
  });
});
