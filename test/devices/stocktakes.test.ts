import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import { newCast, newSchool, newUser, type SchoolRow, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { unique } from '../helpers/unique.js';

/**
 * Stock-takes against a seeded location whose truth is known: every device's place in the result
 * (found, missing, on loan, in repair, unexpected, or nowhere) is decided by the seed below.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: { id: string; modelId: string };

// ---- device factories: straight SQL, any status (seeding a status via SQL is deliberate) ----

const uniq = unique;

interface Seeded {
  id: string;
  assetTag: string;
  serialNumber: string;
  schoolId: string | null;
  status: string;
}

async function newBatchRow(): Promise<{ id: string; modelId: string }> {
  const { rows: [model] } = await t.db.query(
    `INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', $1, 'chromebook') RETURNING id`,
    [`Chromebook ${uniq()}`],
  );
  const { rows: [row] } = await t.db.query(
    `INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
     VALUES ($1, 'APBD 2027', '2027-01-15', 4500000, 100, $2) RETURNING id`,
    [`SPK/${uniq()}/DISDIK/2027`, model.id],
  );
  return { id: row.id, modelId: model.id };
}

async function seedDevice(schoolId: string | null, status = 'in_stock'): Promise<Seeded> {
  const n = uniq();
  const { rows: [row] } = await t.db.query(
    `INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id, status, retired_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, asset_tag, serial_number, school_id, status`,
    [`MDN-LPT-${n}`, `SN${n}X`, batch.modelId, batch.id, schoolId, status, status === 'retired' ? 'scrapped' : null],
  );
  return { id: row.id, assetTag: row.asset_tag, serialNumber: row.serial_number, schoolId: row.school_id, status: row.status };
}

// ---- API helpers ----

const open = (user: TestUser, schoolId: string | null, extra: Record<string, unknown> = {}) =>
  t.http().post('/api/v1/stocktakes').set('authorization', user.auth).send({ schoolId, ...extra });
const scan = (user: TestUser, id: string, codes: unknown, key?: string) => {
  const req = t.http().post(`/api/v1/stocktakes/${id}/scans`).set('authorization', user.auth);
  return (key ? req.set('idempotency-key', key) : req).send({ codes });
};
const close = (user: TestUser, id: string, body: Record<string, unknown> = {}) =>
  t.http().post(`/api/v1/stocktakes/${id}/close`).set('authorization', user.auth).send(body);
const get = (user: TestUser, id: string) => t.http().get(`/api/v1/stocktakes/${id}`).set('authorization', user.auth);

async function openOk(user: TestUser, schoolId: string | null): Promise<string> {
  const res = await open(user, schoolId);
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Devices as the database holds them, without last_seen_at: closing must leave the rest alone. */
async function devicesWithoutSighting(ids: string[]) {
  const { rows } = await t.db.query(`SELECT to_jsonb(d) - 'last_seen_at' AS row FROM devices d WHERE id = ANY($1) ORDER BY id`, [ids]);
  return rows.map((r) => r.row);
}

/** Every loan row, once loans exist (issue 4): closing a count must never touch one. */
async function loanRows() {
  const { rows: [{ exists }] } = await t.db.query(`SELECT to_regclass('loans') IS NOT NULL AS exists`);
  return exists ? (await t.db.query(`SELECT to_jsonb(l) AS row FROM loans l ORDER BY id`)).rows : [];
}

async function movementsOf(ids: string[]) {
  const { rows } = await t.db.query(`SELECT device_id, from_school_id, to_school_id, moved_by FROM device_movements WHERE device_id = ANY($1) ORDER BY device_id`, [ids]);
  return rows;
}

const ids = (entries: { deviceId: string | null }[]) => entries.map((e) => e.deviceId).sort();
const idsOf = (devices: Seeded[]) => devices.map((d) => d.id).sort();

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  batch = await newBatchRow();
});
afterAll(() => t?.close());

describe('a count at a seeded school matches the truth', () => {
  let school: SchoolRow;
  let operator: TestUser;
  const d: Record<string, Seeded> = {};

  beforeAll(async () => {
    school = await newSchool(t.db);
    const other = cast.schoolB.id;
    operator = await newUser(t, 'school_admin', school.id);
    Object.assign(d, {
      shelf1: await seedDevice(school.id),
      shelf2: await seedDevice(school.id),
      shelfBySerial: await seedDevice(school.id),
      shelfMissing: await seedDevice(school.id),
      reservedFound: await seedDevice(school.id, 'reserved'),
      reservedMissing: await seedDevice(school.id, 'reserved'),
      loanAway: await seedDevice(school.id, 'on_loan'),
      loanBroughtIn: await seedDevice(school.id, 'on_loan'),
      repairAway: await seedDevice(school.id, 'in_repair'),
      retiredHere: await seedDevice(school.id, 'retired'),
      stolenHere: await seedDevice(school.id, 'stolen'),
      lostTurnedUp: await seedDevice(school.id, 'lost'),
      fromB: await seedDevice(other),
      loanFromB: await seedDevice(other, 'on_loan'),
      fromStore: await seedDevice(null),
      unscannedB: await seedDevice(other),
      unscannedStore: await seedDevice(null),
    });
  });

  it('open, scan (duplicates, messy codes, unknown, elsewhere), read progress, close: every list is exact', async () => {
    const opened = await open(operator, school.id, { notes: 'Semester count' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ schoolId: school.id, status: 'open', notes: 'Semester count', openedBy: operator.id, counts: null, result: null });
    expect(opened.body.progress).toMatchObject({ expected: 6, found: 0, missing: 6, onLoan: 2, inRepair: 1, scannedCodes: 0 });
    const id = opened.body.id;

    const first = await scan(operator, id, [
      d.shelf1.assetTag,
      d.shelf1.assetTag,
      `  ${d.shelf2.assetTag.toLowerCase()}  `,
      `\t${d.shelfBySerial.serialNumber.toLowerCase()} `,
      d.reservedFound.assetTag,
      'nope-404',
    ]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 6, accepted: 5, duplicates: 1, unknown: 1, unknownCodes: ['NOPE-404'], totalScanned: 5 });

    const second = await scan(operator, id, [
      d.shelf1.serialNumber, // another code of a device already scanned
      d.shelf1.assetTag,
      d.loanBroughtIn.assetTag,
      d.lostTurnedUp.assetTag,
      d.fromB.assetTag,
      d.loanFromB.serialNumber.toLowerCase(),
      d.fromStore.assetTag,
      'NOPE-404',
    ]);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: 8, accepted: 5, duplicates: 3, unknown: 0, unknownCodes: [], totalScanned: 10 });

    const progress = await get(operator, id);
    expect(progress.status).toBe(200);
    expect(progress.body).toMatchObject({ status: 'open', result: null, counts: null });
    expect(progress.body.progress).toEqual({ scannedCodes: 10, expected: 6, found: 4, missing: 2, onLoan: 2, inRepair: 1, unexpected: 5, unknown: 1, relocated: 0 });

    const everything = Object.values(d).map((x) => x.id);
    const before = await devicesWithoutSighting(everything);
    const loansBefore = await loanRows();
    const closed = await close(operator, id);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', closedBy: operator.id, relocateUnexpected: false, progress: null });
    const { result, counts } = closed.body;
    expect(ids(result.found)).toEqual(idsOf([d.shelf1, d.shelf2, d.shelfBySerial, d.reservedFound]));
    expect(ids(result.missing)).toEqual(idsOf([d.shelfMissing, d.reservedMissing]));
    expect(result.onLoan.map((e: { deviceId: string; scanned: boolean }) => [e.deviceId, e.scanned]).sort()).toEqual(
      [[d.loanAway.id, false], [d.loanBroughtIn.id, true]].sort(),
    );
    expect(result.inRepair).toEqual([{ deviceId: d.repairAway.id, assetTag: d.repairAway.assetTag, serialNumber: d.repairAway.serialNumber, status: 'in_repair', scanned: false }]);
    const unexpected = Object.fromEntries(result.unexpected.map((u: { code: string }) => [u.code, u]));
    expect(unexpected).toEqual({
      [d.lostTurnedUp.assetTag]: expect.objectContaining({ reason: 'out_of_service', deviceId: d.lostTurnedUp.id, status: 'lost', recordedSchoolId: school.id, relocated: false }),
      [d.fromB.assetTag]: expect.objectContaining({ reason: 'recorded_elsewhere', deviceId: d.fromB.id, status: 'in_stock', recordedSchoolId: cast.schoolB.id, recordedSchoolName: cast.schoolB.name, relocated: false }),
      [d.loanFromB.serialNumber]: expect.objectContaining({ reason: 'recorded_elsewhere', deviceId: d.loanFromB.id, status: 'on_loan', recordedSchoolId: cast.schoolB.id }),
      [d.fromStore.assetTag]: expect.objectContaining({ reason: 'recorded_elsewhere', deviceId: d.fromStore.id, status: 'in_stock', recordedSchoolId: null, recordedSchoolName: null }),
      'NOPE-404': { code: 'NOPE-404', reason: 'unknown_code', deviceId: null, assetTag: null, serialNumber: null, status: null, recordedSchoolId: null, recordedSchoolName: null, relocated: false },
    });
    expect(counts).toEqual({ scannedCodes: 10, expected: 6, found: 4, missing: 2, onLoan: 2, inRepair: 1, unexpected: 5, unknown: 1, relocated: 0 });
    // Retired and stolen devices that were not scanned are in no list at all.
    const listed = JSON.stringify(result);
    for (const absent of [d.retiredHere, d.stolenHere, d.unscannedB, d.unscannedStore]) expect(listed).not.toContain(absent.id);

    // Closing changed no status, location, loan or version; nothing moved without being asked.
    expect(await devicesWithoutSighting(everything)).toEqual(before);
    expect(await loanRows()).toEqual(loansBefore);
    expect(await movementsOf(everything)).toEqual([]);
    // Every device scanned was seen; the others were not.
    const { rows } = await t.db.query(`SELECT id FROM devices WHERE id = ANY($1) AND last_seen_at IS NOT NULL`, [everything]);
    expect(rows.map((r) => r.id).sort()).toEqual(
      idsOf([d.shelf1, d.shelf2, d.shelfBySerial, d.reservedFound, d.loanBroughtIn, d.lostTurnedUp, d.fromB, d.loanFromB, d.fromStore]),
    );

    // The frozen result is what GET answers, and the audit log holds both events.
    const after = await get(operator, id);
    expect(after.body).toMatchObject({ status: 'closed', result, counts, progress: null });
    const audit = await t.db.query(`SELECT action, school_id, actor_id, after FROM audit_events WHERE entity_id = $1 ORDER BY id`, [id]);
    expect(audit.rows.map((r) => [r.action, r.school_id, r.actor_id])).toEqual([
      ['stocktake.opened', school.id, operator.id],
      ['stocktake.closed', school.id, operator.id],
    ]);
    expect(audit.rows[1].after).toMatchObject({ counts, missingDeviceIds: expect.arrayContaining(idsOf([d.shelfMissing, d.reservedMissing])), relocatedDeviceIds: [] });

    // Closed is closed.
    expect((await scan(operator, id, [d.shelfMissing.assetTag])).status).toBe(409);
    expect((await close(operator, id)).status).toBe(409);
    const { rows: scans } = await t.db.query(`SELECT count(*)::int AS n FROM stocktake_scans WHERE stocktake_id = $1`, [id]);
    expect(scans[0].n).toBe(10);
  });

  it('relocates unexpected in-stock devices only when asked, and only a program admin may ask', async () => {
    const id = await openOk(cast.admin, school.id);
    const moved = [await seedDevice(cast.schoolB.id), await seedDevice(null)];
    const stays = [await seedDevice(cast.schoolB.id, 'reserved'), await seedDevice(cast.schoolB.id, 'on_loan')];
    expect((await scan(cast.admin, id, [...moved, ...stays].map((x) => x.assetTag))).status).toBe(200);

    // The school's operator may close, but not relocate: a relocation is a transfer.
    const refused = await close(operator, id, { relocateUnexpected: true });
    expect(refused.status).toBe(403);
    expect((await get(cast.admin, id)).body.status).toBe('open');

    const before = await devicesWithoutSighting(idsOf(stays));
    const closed = await close(cast.admin, id, { relocateUnexpected: true });
    expect(closed.status).toBe(200);
    expect(closed.body.relocateUnexpected).toBe(true);
    expect(closed.body.counts).toMatchObject({ unexpected: 4, relocated: 2 });
    const relocated = closed.body.result.unexpected.filter((u: { relocated: boolean }) => u.relocated);
    expect(ids(relocated)).toEqual(idsOf(moved));

    const { rows } = await t.db.query(`SELECT id, school_id, status, version FROM devices WHERE id = ANY($1) ORDER BY id`, [idsOf(moved)]);
    expect(rows).toEqual(idsOf(moved).map((id) => ({ id, school_id: school.id, status: 'in_stock', version: 2 })));
    expect(await devicesWithoutSighting(idsOf(stays))).toEqual(before);
    const [fromB, fromStore] = moved;
    expect(await movementsOf(idsOf([...moved, ...stays]))).toEqual(
      [
        { device_id: fromB.id, from_school_id: cast.schoolB.id, to_school_id: school.id, moved_by: cast.admin.id },
        { device_id: fromStore.id, from_school_id: null, to_school_id: school.id, moved_by: cast.admin.id },
      ].sort((a, b) => (a.device_id < b.device_id ? -1 : 1)),
    );
    // Each relocation is audited on both sides, like a transfer.
    const audit = await t.db.query(`SELECT entity_id, school_id FROM audit_events WHERE action = 'device.transferred' AND entity_id = ANY($1)`, [idsOf(moved)]);
    expect(audit.rows).toHaveLength(4);
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { entity_id: fromB.id, school_id: cast.schoolB.id },
        { entity_id: fromB.id, school_id: school.id },
        { entity_id: fromStore.id, school_id: null },
        { entity_id: fromStore.id, school_id: school.id },
      ]),
    );
    const closedEvent = await t.db.query(`SELECT after FROM audit_events WHERE entity_id = $1 AND action = 'stocktake.closed'`, [id]);
    expect(closedEvent.rows[0].after.relocatedDeviceIds.sort()).toEqual(idsOf(moved));
  });
});

describe('one open stock-take per location', () => {
  it('a second open at the same school or at the store is a 409 naming the open one; after closing, a new one opens', async () => {
    const school = await newSchool(t.db);
    const first = await openOk(cast.admin, school.id);
    const again = await open(cast.admin, school.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ openStocktakeId: first });
    // Another location is not affected.
    const store = await openOk(cast.admin, null);
    const storeAgain = await open(cast.admin, null);
    expect(storeAgain.status).toBe(409);
    expect(storeAgain.body).toMatchObject({ openStocktakeId: store });
    expect((await close(cast.admin, first)).status).toBe(200);
    expect((await close(cast.admin, store)).status).toBe(200);
    expect(await openOk(cast.admin, school.id)).not.toBe(first);
  });

  it('concurrent opens at one school, and at the store: exactly one 201 each, the rest 409', async () => {
    const school = await newSchool(t.db);
    for (const location of [school.id, null]) {
      const results = await Promise.all(Array.from({ length: 5 }, () => open(cast.admin, location)));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM stocktakes WHERE school_id IS NOT DISTINCT FROM $1 AND status = 'open'`, [location]);
      expect(rows[0].n).toBe(1);
      const winner = results.find((r) => r.status === 201)!.body.id;
      expect((await close(cast.admin, winner)).status).toBe(200);
    }
  });

  it('the database itself refuses a second open row at the store (the NULL location)', async () => {
    const id = await openOk(cast.admin, null);
    await expect(t.db.query(`INSERT INTO stocktakes (school_id) VALUES (NULL)`)).rejects.toMatchObject({ code: '23505' });
    expect((await close(cast.admin, id)).status).toBe(200);
  });
});

describe('who may count where', () => {
  let stocktakeA: string;
  beforeAll(async () => {
    stocktakeA = await openOk(cast.operatorA, cast.schoolA.id);
  });

  it("another school's operator gets 404 on every route of A's stock-take, and it is left alone", async () => {
    const b = cast.operatorB;
    expect((await get(b, stocktakeA)).status).toBe(404);
    expect((await scan(b, stocktakeA, ['X-1'])).status).toBe(404);
    expect((await close(b, stocktakeA)).status).toBe(404);
    expect((await close(b, stocktakeA, { relocateUnexpected: true })).status).toBe(404);
    expect((await t.http().get('/api/v1/stocktakes').query({ schoolId: cast.schoolA.id }).set('authorization', b.auth)).status).toBe(404);
    const list = await t.http().get('/api/v1/stocktakes').set('authorization', b.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.every((s: { schoolId: string }) => s.schoolId === cast.schoolB.id)).toBe(true);
    const { rows } = await t.db.query(`SELECT status, (SELECT count(*)::int FROM stocktake_scans WHERE stocktake_id = $1) AS scans FROM stocktakes WHERE id = $1`, [stocktakeA]);
    expect(rows[0]).toEqual({ status: 'open', scans: 0 });
  });

  it('an operator cannot open at the store or at another school (404), nor see store counts', async () => {
    const a = cast.operatorA;
    expect((await open(a, null)).status).toBe(404);
    expect((await open(a, cast.schoolB.id)).status).toBe(404);
    expect((await open(a, randomUUID())).status).toBe(404);
    const storeCount = await openOk(cast.admin, null);
    expect((await get(a, storeCount)).status).toBe(404);
    expect((await scan(a, storeCount, ['X-1'])).status).toBe(404);
    expect((await close(a, storeCount)).status).toBe(404);
    const list = await t.http().get('/api/v1/stocktakes').query({ location: 'store' }).set('authorization', a.auth);
    expect(list.body).toEqual({ items: [], nextCursor: null });
    expect((await close(cast.admin, storeCount)).status).toBe(200);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM stocktakes WHERE school_id = $1`, [cast.schoolB.id]);
    expect(rows[0].n).toBe(0);
  });

  it('auditors read everything and write nothing (403)', async () => {
    const auditor = cast.auditor;
    expect((await get(auditor, stocktakeA)).status).toBe(200);
    expect((await t.http().get('/api/v1/stocktakes').set('authorization', auditor.auth)).status).toBe(200);
    expect((await open(auditor, cast.schoolB.id)).status).toBe(403);
    expect((await open(auditor, null)).status).toBe(403);
    expect((await scan(auditor, stocktakeA, ['X-1'])).status).toBe(403);
    expect((await close(auditor, stocktakeA)).status).toBe(403);
    expect((await get(cast.admin, stocktakeA)).body).toMatchObject({ status: 'open', progress: { scannedCodes: 0 } });
  });

  it("the school's own operator scans and closes; the program admin may work on any school's count", async () => {
    expect((await scan(cast.operatorA, stocktakeA, ['A-1'])).status).toBe(200);
    expect((await scan(cast.admin, stocktakeA, ['A-2'])).status).toBe(200);
    const closed = await close(cast.operatorA, stocktakeA);
    expect(closed.status).toBe(200);
    expect(closed.body.counts).toMatchObject({ scannedCodes: 2, unknown: 2 });
  });
});

describe('requests and lists', () => {
  it('refuses bad bodies with 400 naming the field', async () => {
    const id = await openOk(cast.admin, (await newSchool(t.db)).id);
    const cases: [unknown, string][] = [
      [[], 'codes'],
      [Array.from({ length: 1001 }, (_, i) => `C-${i}`), 'codes'],
      [['   '], 'codes'],
      [[42], 'codes'],
      ['MDN-1', 'codes'],
      [['a'.repeat(101)], 'codes'],
      [['BAD\u0000CODE'], 'codes'],
    ];
    for (const [codes, field] of cases) {
      const res = await scan(cast.admin, id, codes);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect((await scan(cast.admin, id, Array.from({ length: 1000 }, (_, i) => `C-${i}`))).body).toMatchObject({ accepted: 1000, unknown: 1000 });
    expect((await open(cast.admin, randomUUID())).body.errors).toEqual([expect.objectContaining({ field: 'schoolId' })]);
    expect((await t.http().post('/api/v1/stocktakes').set('authorization', cast.admin.auth).send({})).status).toBe(400);
    expect((await close(cast.admin, id, { relocateUnexpected: 'yes' })).status).toBe(400);
    expect((await get(cast.admin, 'not-a-uuid')).status).toBe(400);
    expect((await get(cast.admin, randomUUID())).status).toBe(404);
    expect((await close(cast.admin, id)).status).toBe(200);
  });

  it('matches codes when the count closes: a device registered after its code was scanned is found', async () => {
    const school = await newSchool(t.db);
    const id = await openOk(cast.admin, school.id);
    const n = uniq();
    expect((await scan(cast.admin, id, [`late-${n}`])).body).toMatchObject({ accepted: 1, unknown: 1 });
    const { rows: [late] } = await t.db.query(
      `INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [`LATE-${n}`, `SNLATE${n}`, batch.modelId, batch.id, school.id],
    );
    // Its serial is now another code of a device already scanned: a duplicate.
    expect((await scan(cast.admin, id, [`SNLATE${n}`])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    // No body at all is the same as {}: close without relocating.
    const closed = await t.http().post(`/api/v1/stocktakes/${id}/close`).set('authorization', cast.admin.auth);
    expect(closed.status).toBe(200);
    expect(closed.body.relocateUnexpected).toBe(false);
    expect(ids(closed.body.result.found)).toEqual([late.id]);
    expect(closed.body.counts).toMatchObject({ found: 1, unknown: 0, unexpected: 0 });
  });

  it('scans racing the close: every scan that was answered 200 is in the result, the rest are 409', async () => {
    const school = await newSchool(t.db);
    const id = await openOk(cast.admin, school.id);
    const scans = Array.from({ length: 8 }, (_, i) => scan(cast.admin, id, [`RACE-${i}-A`, `RACE-${i}-B`]));
    const [closed, ...answers] = await Promise.all([close(cast.admin, id), ...scans]);
    expect(closed.status).toBe(200);
    expect(answers.every((a) => a.status === 200 || a.status === 409)).toBe(true);
    const accepted = answers.filter((a) => a.status === 200).length;
    expect(closed.body.counts.scannedCodes).toBe(accepted * 2);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM stocktake_scans WHERE stocktake_id = $1`, [id]);
    expect(rows[0].n).toBe(accepted * 2);
  });

  it('a retried scan with the same Idempotency-Key replays its answer and records nothing twice', async () => {
    const id = await openOk(cast.admin, (await newSchool(t.db)).id);
    const key = randomUUID();
    const first = await scan(cast.admin, id, ['R-1', 'R-2'], key);
    const retry = await scan(cast.admin, id, ['R-1', 'R-2'], key);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect((await scan(cast.admin, id, ['R-3'], key)).status).toBe(422);
    expect((await close(cast.admin, id)).status).toBe(200);
  });

  it('lists newest first with cursor pagination and filters by school, store and status', async () => {
    const school = await newSchool(t.db);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await openOk(cast.admin, school.id);
      made.push(id);
      if (i < 2) expect((await close(cast.admin, id)).status).toBe(200);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/stocktakes')
        .query({ schoolId: school.id, limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());

    const openOnly = await t.http().get('/api/v1/stocktakes').query({ schoolId: school.id, status: 'open' }).set('authorization', cast.admin.auth);
    expect(openOnly.body.items.map((s: { id: string; counts: unknown }) => [s.id, s.counts])).toEqual([[made[2], null]]);
    const closedOnly = await t.http().get('/api/v1/stocktakes').query({ schoolId: school.id, status: 'closed' }).set('authorization', cast.admin.auth);
    expect(closedOnly.body.items.map((s: { id: string }) => s.id)).toEqual([made[1], made[0]]);
    expect(closedOnly.body.items[0].counts).toMatchObject({ scannedCodes: 0 });
    expect(closedOnly.body.items[0]).not.toHaveProperty('result');
    const store = await t.http().get('/api/v1/stocktakes').query({ location: 'store' }).set('authorization', cast.admin.auth);
    expect(store.body.items.length).toBeGreaterThan(0);
    expect(store.body.items.every((s: { schoolId: string | null }) => s.schoolId === null)).toBe(true);
    const bad = await t.http().get('/api/v1/stocktakes').query({ cursor: 'garbage' }).set('authorization', cast.admin.auth);
    expect(bad.status).toBe(400);
  });
});
