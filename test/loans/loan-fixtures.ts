import { expect } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { newCast, type TestUser } from '../helpers/factories.js';
import type { TestApp } from '../helpers/test-app.js';
import { unique } from '../helpers/unique.js';

/**
 * Shared seeding for the loan tests. Schools, users, programs and price lists go through the
 * API or the factories; students and devices are written straight to the database (many at a
 * time, in one statement) because the concurrency suite needs hundreds of them.
 */

export type Cast = Awaited<ReturnType<typeof newCast>>;

const uniq = unique;
/** NISNs are 10 digits and unique per database; each test file has its own database. */
let nisn = 1_000_000_000 + randomInt(1_000_000) * 1000;

export const AGREEMENT = /^([A-Z]{2,6})-(\d{4})-(\d{6,})$/;

export interface Catalogue {
  modelId: string;
  batchId: string;
}

export interface Fixture {
  t: TestApp;
  cast: Cast;
  catalogue: Catalogue;
}

export async function newFixture(t: TestApp): Promise<Fixture> {
  const cast = await newCast(t);
  return { t, cast, catalogue: await newCatalogue(t) };
}

export async function newCatalogue(t: TestApp): Promise<Catalogue> {
  const n = uniq();
  const { rows: [model] } = await t.db.query(
    `INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', $1, 'chromebook') RETURNING id`,
    [`Chromebook ${n}`],
  );
  const { rows: [batch] } = await t.db.query(
    `INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
     VALUES ($1, 'APBD 2027', '2027-01-15', 4500000, 10000, $2) RETURNING id`,
    [`SPK/${n}/DISDIK/2027`, model.id],
  );
  return { modelId: model.id, batchId: batch.id };
}

// ---------------------------------------------------------------- programs

let programs = 0;
/** A fresh program code: 2-6 capitals, unique within the test file. */
export function programCode(): string {
  let n = ++programs + randomInt(1000) * 100;
  let code = '';
  for (let i = 0; i < 4; i++) {
    code += String.fromCharCode(65 + (n % 26));
    n = Math.floor(n / 26);
  }
  return `L${code}`;
}

export interface ProgramBody {
  id: string;
  code: string;
  startsOn: string;
  loanDueDate: string | null;
  loanDays: number | null;
  maxExtensions: number;
  maxTermDays: number | null;
  termsVersion: number;
}

export const TERMS = 'Perangkat tetap milik Pemerintah Kota. Peminjam wajib menjaga perangkat dan mengembalikannya tepat waktu.';

/** A program open from 2020 to 2099, so moving the clock never closes it. */
export async function newProgram(t: TestApp, admin: TestUser, overrides: Record<string, unknown> = {}): Promise<ProgramBody> {
  const body: Record<string, unknown> = { code: programCode(), name: `Laptop Pelajar ${uniq()}`, startsOn: '2020-01-01', endsOn: '2099-12-31', termsText: TERMS, ...overrides };
  if (body.loanDays === undefined && body.loanDueDate === undefined) body.loanDueDate = '2099-06-30';
  const res = await t.http().post('/api/v1/programs').set('authorization', admin.auth).send(body);
  expect(res.status).toBe(201);
  return res.body;
}

export interface PriceItem {
  code: string;
  description: string;
  amount: number;
  waivableForSocialAid?: boolean;
}

export const PRICES: PriceItem[] = [
  { code: 'missing_charger', description: 'Charger tidak dikembalikan', amount: 250_000, waivableForSocialAid: true },
  { code: 'missing_bag', description: 'Tas tidak dikembalikan', amount: 100_000 },
  { code: 'broken_screen', description: 'Layar pecah', amount: 1_200_000 },
  { code: 'keyboard', description: 'Keyboard rusak', amount: 400_000, waivableForSocialAid: true },
  { code: 'replacement', description: 'Penggantian perangkat hilang', amount: 4_500_000 },
];

export async function setPriceList(t: TestApp, admin: TestUser, programId: string, items: PriceItem[] = PRICES) {
  const res = await t.http().put(`/api/v1/programs/${programId}/price-list`).set('authorization', admin.auth).send({ items });
  expect(res.status).toBe(200);
  return res.body;
}

// ---------------------------------------------------------------- students and devices

export interface StudentSeed {
  grade?: number;
  socialAid?: string[];
  guardianPhone?: string | null;
  enrolmentStatus?: string;
  resident?: boolean;
}

export async function newStudents(t: TestApp, schoolId: string, count: number, seed: StudentSeed = {}): Promise<string[]> {
  const nisns = Array.from({ length: count }, () => String(++nisn));
  const { rows } = await t.db.query(
    `INSERT INTO students (nisn, full_name, school_id, grade, date_of_birth, resident, social_aid, enrolment_status, guardian_name, guardian_relation, guardian_phone)
     SELECT n, 'Murid ' || n, $2, $3, '2012-05-01', $4, $5, $6, 'Sri Wahyuni', 'mother', $7
     FROM unnest($1::text[]) WITH ORDINALITY AS u(n, i) ORDER BY i
     RETURNING id, nisn`,
    [nisns, schoolId, seed.grade ?? 8, seed.resident ?? true, seed.socialAid ?? [], seed.enrolmentStatus ?? 'enrolled', seed.guardianPhone === undefined ? '+6281234567890' : seed.guardianPhone],
  );
  const byNisn = new Map(rows.map((r: { id: string; nisn: string }) => [r.nisn, r.id]));
  return nisns.map((n) => byNisn.get(n)!);
}

export async function newStudent(t: TestApp, schoolId: string, seed: StudentSeed = {}): Promise<string> {
  return (await newStudents(t, schoolId, 1, seed))[0];
}

export interface DeviceSeed {
  status?: string;
  accessories?: Record<string, boolean>;
}

export const KIT = { charger: true, bag: true };

export async function newDevices(t: TestApp, catalogue: Catalogue, schoolId: string | null, count: number, seed: DeviceSeed = {}): Promise<string[]> {
  const tags = Array.from({ length: count }, () => `LN-${uniq()}`);
  const { rows } = await t.db.query(
    `INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id, status, accessories)
     SELECT tag, 'SN-' || tag, $2, $3, $4, $5, $6
     FROM unnest($1::text[]) WITH ORDINALITY AS u(tag, i) ORDER BY i
     RETURNING id, asset_tag`,
    [tags, catalogue.modelId, catalogue.batchId, schoolId, seed.status ?? 'in_stock', JSON.stringify(seed.accessories ?? KIT)],
  );
  const byTag = new Map(rows.map((r: { id: string; asset_tag: string }) => [r.asset_tag, r.id]));
  return tags.map((tag) => byTag.get(tag)!);
}

export async function newDevice(t: TestApp, catalogue: Catalogue, schoolId: string | null, seed: DeviceSeed = {}): Promise<string> {
  return (await newDevices(t, catalogue, schoolId, 1, seed))[0];
}

// ---------------------------------------------------------------- requests

export function consent(overrides: Record<string, unknown> = {}) {
  return { name: 'Sri Wahyuni', relation: 'mother', phone: '0812-3456-7890', signedAt: '2026-01-20T09:30:00+07:00', method: 'paper', ...overrides };
}

export interface IssueBody {
  programId: string;
  studentId: string;
  deviceId: string;
  dueDate?: string;
  guardianConsent?: Record<string, unknown>;
}

export function issueBody(body: IssueBody) {
  return { guardianConsent: consent(), ...body };
}

export function issue(t: TestApp, user: TestUser, body: IssueBody, key: string = randomUUID()) {
  return t.http().post('/api/v1/loans').set('authorization', user.auth).set('idempotency-key', key).send(issueBody(body));
}

/** Issues and expects a 201; returns the loan. */
export async function issued(t: TestApp, user: TestUser, body: IssueBody) {
  const res = await issue(t, user, body);
  expect(res.status).toBe(201);
  return res.body as LoanBody;
}

export interface LoanBody {
  id: string;
  agreementNumber: string;
  programId: string;
  studentId: string;
  deviceId: string;
  schoolId: string;
  status: string;
  overdue: boolean;
  issuedAt: string;
  dueDate: string;
  termsVersion: number;
  warnings: { rule: string; reason: string }[];
  extensions: number;
  closedAt: string | null;
  version: number;
}

export const RETURN_OK = { condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' };

export function returnLoan(t: TestApp, user: TestUser, loanId: string, body: Record<string, unknown> = RETURN_OK) {
  return t.http().post(`/api/v1/loans/${loanId}/return`).set('authorization', user.auth).send(body);
}

export function post(t: TestApp, user: TestUser, path: string, body: Record<string, unknown> = {}, key?: string) {
  const req = t.http().post(path).set('authorization', user.auth);
  if (key) req.set('idempotency-key', key);
  return req.send(body);
}

export function get(t: TestApp, user: TestUser, path: string) {
  return t.http().get(path).set('authorization', user.auth);
}

// ---------------------------------------------------------------- checks

export function expectProblem(res: Response, status: number) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

export async function deviceStatus(t: TestApp, id: string): Promise<{ status: string; school_id: string | null; condition: string }> {
  const { rows } = await t.db.query(`SELECT status, school_id, condition FROM devices WHERE id = $1`, [id]);
  return rows[0];
}

export async function loanRow(t: TestApp, id: string) {
  const { rows } = await t.db.query(`SELECT * FROM loans WHERE id = $1`, [id]);
  return rows[0];
}

export async function auditActions(t: TestApp, entityId: string): Promise<string[]> {
  const { rows } = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [entityId]);
  return rows.map((r: { action: string }) => r.action);
}

/** Row counts of every table a loan write touches: a refused request must leave them all alone. */
export async function loanWriteCounts(t: TestApp): Promise<Record<string, number>> {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM loans)::int AS loans,
           (SELECT count(*) FROM loan_returns)::int AS returns,
           (SELECT count(*) FROM loan_extensions)::int AS extensions,
           (SELECT count(*) FROM loan_losses)::int AS losses,
           (SELECT count(*) FROM charges)::int AS charges,
           (SELECT count(*) FROM device_movements)::int AS movements,
           (SELECT count(*) FROM audit_events)::int AS audit,
           (SELECT count(*) FROM idempotency_records)::int AS idempotency,
           (SELECT count(*) FROM devices WHERE status = 'on_loan')::int AS devices_on_loan,
           (SELECT count(*) FROM applications WHERE status = 'fulfilled')::int AS fulfilled`);
  return rows[0];
}

/**
 * The invariants of DESIGN.md 1 and 2, checked over the whole database: no device and no
 * student (per program) with two active loans, and every active loan's device on loan.
 */
export async function expectLoanInvariants(t: TestApp) {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM (SELECT device_id FROM loans WHERE status = 'active' GROUP BY device_id HAVING count(*) > 1) x)::int AS devices_twice,
           (SELECT count(*) FROM (SELECT program_id, student_id FROM loans WHERE status = 'active' GROUP BY 1, 2 HAVING count(*) > 1) x)::int AS students_twice,
           (SELECT count(*) FROM loans l JOIN devices d ON d.id = l.device_id WHERE l.status = 'active' AND d.status <> 'on_loan')::int AS active_not_on_loan,
           (SELECT count(*) FROM devices d WHERE d.status = 'on_loan' AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active'))::int AS on_loan_without_loan`);
  expect(rows[0]).toEqual({ devices_twice: 0, students_twice: 0, active_not_on_loan: 0, on_loan_without_loan: 0 });
}

/** `today` as the service sees it (UTC+7). */
export function wibToday(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
