import { verifyCode } from '../../src/loans/agreement/agreement-number.js';
import { CredentialsService } from '../../src/auth/credentials.service.js';
import { expect } from '@jest/globals';
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Response } from 'supertest';
import { newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/test-app.js';
import type { OpenApiDocument } from './openapi-doc.js';
import { newBatch, newModel } from '../devices/device-helpers.js';
import { unique } from '../helpers/unique.js';
import {
  addDays,
  consent,
  newDevice,
  newFixture,
  newProgram,
  newStudent,
  PRICES,
  RETURN_OK,
  setPriceList,
  wibToday,
  type Cast,
} from '../loans/loan-fixtures.js';

/**
 * A small city for the security suites: two schools, the store, and at school A one of every
 * kind of record (device, student, program, application, loan, charge, stock-take, repair, user,
 * API key, notification). Everything is made through the API as the program administrator, or
 * by the loan fixtures, so the records are in the states the service itself produces.
 *
 * `recipe(op)` builds, for one operation, a request that succeeds for an allowed caller: path
 * ids of school A's records, a valid body, and fresh records where the request consumes them
 * (a loan can be returned once), so every allowed cell starts from a usable record.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Req {
  method: Method;
  /** The concrete path, ids filled in. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** A CSV upload (text/csv) instead of JSON. */
  csv?: string;
  /** A body sent as it is, with this content type (for malformed and mislabelled bodies). */
  raw?: { text: string; contentType: string };
  headers?: Record<string, string>;
}

export interface World {
  t: TestApp;
  cast: Cast;
  admin: TestUser;
  model: { id: string; manufacturer: string; model: string };
  batch: { id: string; modelId: string; contractRef: string };
  catalogue: { modelId: string; batchId: string };
  programId: string;
  /** A one-device-per-family program in which one family holds two laptops, one at each school. */
  familyProgramId: string;
  /** School A's records, the ones path parameters point at. */
  a: {
    studentId: string;
    nisn: string;
    deviceId: string;
    assetTag: string;
    loanId: string;
    agreementNumber: string;
    applicationId: string;
    chargeId: string;
    stocktakeId: string;
    repairId: string;
    repairDeviceId: string;
    userId: string;
    apiKeyId: string;
    /** A loan issued with a drawn signature, and a returned one (for the receipt). */
    signedLoanId: string;
    returnedLoanId: string;
  };
  b: { studentId: string; deviceId: string };
  /** Raw API keys: a school administrator of B, and a revoked program-admin key. */
  keys: { otherSchool: string; revoked: string };
  disabledUser: TestUser;
  /**
   * Ids (and NISNs, asset tags) that only school A may see. A school-B answer containing any of
   * them is a leak. Fresh records made by recipes are added as they are made.
   */
  secrets: Set<string>;
}

const uniq = unique;

export function send(t: TestApp, req: Req, headers: Record<string, string> = {}) {
  const method = req.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let r = t.http()[method](req.path);
  if (req.query) r = r.query(req.query);
  for (const [k, v] of Object.entries({ ...(req.headers ?? {}), ...headers })) r = r.set(k, v);
  if (req.raw !== undefined) return r.set('content-type', req.raw.contentType).send(req.raw.text);
  if (req.csv !== undefined) return r.set('content-type', 'text/csv').send(req.csv);
  if (req.body !== undefined && (req.body === null || typeof req.body !== 'object')) {
    return r.set('content-type', 'application/json').send(JSON.stringify(req.body));
  }
  if (req.body !== undefined) return r.send(req.body as object);
  return r;
}

async function asAdmin(w: Pick<World, 't' | 'admin'>, method: Method, path: string, body?: unknown, expected = [200, 201]): Promise<Response> {
  const res = await send(w.t, { method, path, body, headers: method === 'GET' ? {} : { 'idempotency-key': randomUUID() } }, { authorization: w.admin.auth });
  if (!expected.includes(res.status)) throw new Error(`${method} ${path} as program admin: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

// ---------------------------------------------------------------- credentials

function b64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** An HS256 JWT, hand-made so that the tests control every part (secret, expiry, algorithm). */
export function jwt(payload: object, secret: string | null, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export type Actor =
  | 'program_admin'
  | 'auditor'
  | 'own'
  | 'other'
  | 'other_api_key'
  | 'no_token'
  | 'malformed_token'
  | 'wrong_signature'
  | 'expired_token'
  | 'alg_none'
  | 'disabled_user'
  | 'revoked_api_key';

export const ROLE_ACTORS = ['program_admin', 'auditor', 'own', 'other', 'other_api_key'] as const;
export const UNAUTHENTICATED = ['no_token', 'malformed_token', 'wrong_signature', 'expired_token', 'alg_none', 'disabled_user', 'revoked_api_key'] as const;
export const ACTORS: Actor[] = [...ROLE_ACTORS, ...UNAUTHENTICATED];

export function credentials(w: World, actor: Actor): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const adminClaims = { sub: w.admin.id, role: 'program_admin' };
  switch (actor) {
    case 'program_admin':
      return { authorization: w.admin.auth };
    case 'auditor':
      return { authorization: w.cast.auditor.auth };
    case 'own':
      return { authorization: w.cast.operatorA.auth };
    case 'other':
      return { authorization: w.cast.operatorB.auth };
    case 'other_api_key':
      return { 'x-api-key': w.keys.otherSchool };
    case 'no_token':
      return {};
    case 'malformed_token':
      return { authorization: 'Bearer not.a.token' };
    case 'wrong_signature':
      return { authorization: `Bearer ${jwt({ ...adminClaims, iat: now, exp: now + 3600 }, `${TEST_JWT_SECRET}-but-not-quite`)}` };
    case 'expired_token':
      return { authorization: `Bearer ${jwt({ ...adminClaims, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET)}` };
    case 'alg_none':
      return { authorization: `Bearer ${jwt({ ...adminClaims, iat: now, exp: now + 3600 }, null, { alg: 'none', typ: 'JWT' })}` };
    case 'disabled_user':
      return { authorization: w.disabledUser.auth };
    case 'revoked_api_key':
      return { 'x-api-key': w.keys.revoked };
  }
}

/** Operations that end the caller's own session (logout). */
export const OWN_SESSION_OPS = new Set(['POST /api/v1/auth/logout']);

/**
 * The headers to send `opKey` with: for an operation that ends the caller's own session, a fresh
 * token of the same user, so logging out in one cell does not end the suite's shared tokens.
 */
export async function sessionCredentials(w: World, opKey: string, headers: Record<string, string>): Promise<Record<string, string>> {
  if (!OWN_SESSION_OPS.has(opKey)) return headers;
  // School B's API key stands for school B's operator here: a key cannot log out (400, checked in
  // test/platform/sessions.test.ts), which the matrix's "other" column has no way to say.
  if (headers['x-api-key'] === w.keys.otherSchool) headers = { authorization: w.cast.operatorB.auth };
  const user = [w.admin, w.cast.auditor, w.cast.operatorA, w.cast.operatorB].find((u) => u.auth === headers.authorization);
  if (!user) return headers;
  return { ...headers, authorization: `Bearer ${await w.t.app.get(CredentialsService).issueToken(user.id, user.role)}` };
}

// ---------------------------------------------------------------- the world

export async function buildWorld(t: TestApp): Promise<World> {
  const fixture = await newFixture(t);
  const { cast } = fixture;
  const admin = cast.admin;
  const base = { t, admin };
  const model = await newModel(t, admin);
  const batch = await newBatch(t, admin, model.id, { quantity: 1_000_000 });
  const catalogue = { modelId: model.id, batchId: batch.id };
  const program = await newProgram(t, admin, { maxExtensions: 20 });
  await setPriceList(t, admin, program.id, PRICES);

  const partial = { t, cast, admin, model, batch, catalogue, programId: program.id, secrets: new Set<string>() } as unknown as World;
  const w = partial;

  // School A: one of each record.
  const studentId = await freshStudent(w, cast.schoolA.id);
  const { rows: [{ nisn }] } = await t.db.query(`SELECT nisn FROM students WHERE id = $1`, [studentId]);
  const deviceId = await freshDevice(w, cast.schoolA.id);
  const { rows: [{ asset_tag: assetTag }] } = await t.db.query(`SELECT asset_tag FROM devices WHERE id = $1`, [deviceId]);
  const loan = await freshLoan(w);
  const applicationId = await freshApplication(w);
  const chargeId = await freshCharge(w, false);
  const { rows: [returned] } = await t.db.query(`SELECT loan_id FROM charges WHERE id = $1`, [chargeId]);
  const signedLoanId = await freshSignedLoan(w);
  const stocktakeId = (await asAdmin(base, 'POST', '/api/v1/stocktakes', { schoolId: cast.schoolA.id })).body.id;
  w.secrets.add(stocktakeId);
  const repair = await freshRepair(w);
  const user = await asAdmin(base, 'POST', '/api/v1/users', { email: `op.${uniq()}@a.test`, name: 'Operator A2', password: `pw-${randomUUID()}`, role: 'school_admin', schoolId: cast.schoolA.id });
  w.secrets.add(user.body.id);
  const apiKey = await asAdmin(base, 'POST', '/api/v1/api-keys', { name: `Dapodik A ${uniq()}`, role: 'school_admin', schoolId: cast.schoolA.id });
  w.secrets.add(apiKey.body.id);
  w.secrets.add(cast.operatorA.id);
  w.secrets.add(cast.schoolA.id);
  w.secrets.add(nisn);
  w.secrets.add(assetTag);

  // A notification at A: a loan due in two days gets the -3 days reminder.
  const reminded = await freshLoan(w);
  await t.db.query(`UPDATE loans SET due_date = $2 WHERE id = $1`, [reminded.id, addDays(wibToday(), 2)]);
  await asAdmin(base, 'POST', '/api/v1/notifications/run-reminders');
  const { rows: notes } = await t.db.query(`SELECT id FROM outbox WHERE school_id = $1`, [cast.schoolA.id]);
  expect(notes.length).toBeGreaterThan(0);
  for (const n of notes) w.secrets.add(n.id);

  // A quota for school A, so the program's quotas name it.
  await asAdmin(base, 'PUT', `/api/v1/programs/${program.id}/quotas`, { quotas: [{ schoolId: cast.schoolA.id, quota: 1000 }] });

  // One family at both schools, each child holding a laptop of a one-per-family program: the
  // duplicate report shows the family to school B without school A's child.
  const familyProgram = await newProgram(t, admin, { maxExtensions: 20 });
  const siblings = [await freshStudent(w, cast.schoolA.id), await freshStudent(w, cast.schoolB.id)];
  await t.db.query(`UPDATE students SET family_card_number = $2 WHERE id = ANY($1)`, [siblings, `1271${String(randomInt(1e12)).padStart(12, '0')}`]);
  for (const [i, studentId] of siblings.entries()) {
    const deviceId = await freshDevice(w, i === 0 ? cast.schoolA.id : cast.schoolB.id);
    const loan = await asAdmin(base, 'POST', '/api/v1/loans', { programId: familyProgram.id, studentId, deviceId, guardianConsent: consent() });
    if (i === 0) w.secrets.add(loan.body.id);
  }
  await asAdmin(base, 'PATCH', `/api/v1/programs/${familyProgram.id}`, { rules: { onePerFamilyCard: true } });
  const duplicates = await asAdmin(base, 'GET', `/api/v1/programs/${familyProgram.id}/duplicate-beneficiaries`);
  expect(duplicates.body.families).toMatchObject([{ devices: 2 }]);

  // School B: a student and a device of its own, for mixed requests.
  const bStudent = await newStudent(t, cast.schoolB.id);
  const bDevice = await newDevice(t, catalogue, cast.schoolB.id);

  // Keys: a school-B operator's key, and a revoked program-admin key.
  const otherKey = await asAdmin(base, 'POST', '/api/v1/api-keys', { name: `Dapodik B ${uniq()}`, role: 'school_admin', schoolId: cast.schoolB.id });
  const revoked = await asAdmin(base, 'POST', '/api/v1/api-keys', { name: `Old ${uniq()}`, role: 'program_admin' });
  await asAdmin(base, 'POST', `/api/v1/api-keys/${revoked.body.id}/revoke`);
  const disabledUser = await newUser(t, 'program_admin', null, { active: false });

  w.a = {
    studentId,
    nisn,
    deviceId,
    assetTag,
    loanId: loan.id,
    agreementNumber: loan.agreementNumber,
    applicationId,
    chargeId,
    stocktakeId,
    repairId: repair.repairId,
    repairDeviceId: repair.deviceId,
    userId: user.body.id,
    apiKeyId: apiKey.body.id,
    signedLoanId,
    returnedLoanId: returned.loan_id,
  };
  w.b = { studentId: bStudent, deviceId: bDevice };
  w.familyProgramId = familyProgram.id;
  w.keys = { otherSchool: otherKey.body.key, revoked: revoked.body.key };
  w.disabledUser = disabledUser;
  return w;
}

// ---------------------------------------------------------------- fresh records at school A

export async function freshStudent(w: World, schoolId = w.cast.schoolA.id, seed: { socialAid?: string[] } = {}): Promise<string> {
  const id = await newStudent(w.t, schoolId, seed);
  if (schoolId === w.cast.schoolA.id) w.secrets.add(id);
  return id;
}

export async function freshDevice(w: World, schoolId: string | null = w.cast.schoolA.id, status = 'in_stock'): Promise<string> {
  const id = await newDevice(w.t, w.catalogue, schoolId, { status });
  if (schoolId === w.cast.schoolA.id) w.secrets.add(id);
  return id;
}

export async function freshLoan(w: World, seed: { socialAid?: string[] } = {}): Promise<{ id: string; agreementNumber: string; studentId: string; deviceId: string }> {
  const studentId = await freshStudent(w, w.cast.schoolA.id, seed);
  const deviceId = await freshDevice(w);
  const res = await asAdmin(w, 'POST', '/api/v1/loans', { programId: w.programId, studentId, deviceId, guardianConsent: consent() });
  w.secrets.add(res.body.id);
  return { id: res.body.id, agreementNumber: res.body.agreementNumber, studentId, deviceId };
}

/** A 64x32 white PNG: the smallest drawn signature the service accepts is 32x16. */
export const SIGNATURE_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAgCAYAAACinX6EAAAAR0lEQVR4AeXBAQEAAAiAIPP/5+qHMPsIkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJkziJk7gDIWYEPMz9We4AAAAASUVORK5CYII=';

/** A loan at school A issued with a drawn signature. */
export async function freshSignedLoan(w: World): Promise<string> {
  const studentId = await freshStudent(w);
  const deviceId = await freshDevice(w);
  const res = await asAdmin(w, 'POST', '/api/v1/loans', { programId: w.programId, studentId, deviceId, guardianConsent: consent({ method: 'digital' }), guardianSignaturePng: SIGNATURE_PNG });
  w.secrets.add(res.body.id);
  return res.body.id;
}

/** A returned loan with one open charge: a missing charger (a hardship item when the student has social aid) or a broken screen. */
export async function freshCharge(w: World, hardship: boolean): Promise<string> {
  const loan = await freshLoan(w, { socialAid: hardship ? ['PKH'] : [] });
  const body = hardship
    ? { ...RETURN_OK, checklist: { charger: false, bag: true } }
    : { ...RETURN_OK, condition: 'broken', nextStatus: 'in_repair', damageItems: ['broken_screen'] };
  const res = await asAdmin(w, 'POST', `/api/v1/loans/${loan.id}/return`, body);
  expect(res.body.charges).toHaveLength(1);
  const id = res.body.charges[0].id;
  w.secrets.add(id);
  return id;
}

export async function freshApplication(w: World): Promise<string> {
  const studentId = await freshStudent(w);
  const res = await asAdmin(w, 'POST', `/api/v1/programs/${w.programId}/applications`, { studentId });
  w.secrets.add(res.body.id);
  return res.body.id;
}

export async function freshRepair(w: World): Promise<{ deviceId: string; repairId: string }> {
  const deviceId = await freshDevice(w);
  const res = await asAdmin(w, 'POST', `/api/v1/devices/${deviceId}/repairs`, { vendor: 'CV Servis Laptop', problem: 'Layar berkedip' });
  w.secrets.add(res.body.id);
  return { deviceId, repairId: res.body.id };
}

/** The open stock-take at school A, opening one if none is open. */
export async function openStocktake(w: World): Promise<string> {
  const { rows } = await w.t.db.query(`SELECT id FROM stocktakes WHERE school_id = $1 AND status = 'open'`, [w.cast.schoolA.id]);
  if (rows[0]) return rows[0].id;
  const res = await asAdmin(w, 'POST', '/api/v1/stocktakes', { schoolId: w.cast.schoolA.id });
  w.secrets.add(res.body.id);
  return res.body.id;
}

export async function closeOpenStocktakes(w: World, schoolId: string = w.cast.schoolA.id): Promise<void> {
  const { rows } = await w.t.db.query(`SELECT id FROM stocktakes WHERE school_id = $1 AND status = 'open'`, [schoolId]);
  for (const r of rows) await asAdmin(w, 'POST', `/api/v1/stocktakes/${r.id}/close`, {});
}

// ---------------------------------------------------------------- recipes

const idem = () => ({ 'idempotency-key': randomUUID() });
const CONSENT = { purpose: 'laptop_loan', method: 'paper', evidenceRef: 'Arsip TU 2026/014', givenAt: '2026-01-20T09:30:00+07:00' };
const npsn = () => String(10_000_000 + randomInt(89_999_999));
const nisn = () => String(1_000_000_000 + randomInt(8_999_999_999));
const code = () => `S${Array.from({ length: 4 }, () => String.fromCharCode(65 + randomInt(26))).join('')}`;

type Recipe = (w: World) => Promise<Omit<Req, 'method'>> | Omit<Req, 'method'>;

/**
 * One valid request per operation (METHOD + path template). An operation without a recipe gets
 * `genericRequest` (path ids by resource name, a body from the schema's examples), which is
 * enough for a new read; a new write that needs a real record wants a recipe here.
 */
export const RECIPES: Record<string, Recipe> = {
  'GET /health/live': () => ({ path: '/health/live' }),
  'GET /health/ready': () => ({ path: '/health/ready' }),
  'GET /metrics': () => ({ path: '/metrics' }),
  'POST /api/v1/auth/login': (w) => ({ path: '/api/v1/auth/login', body: { email: w.cast.auditor.email, password: w.cast.auditor.password } }),
  'GET /api/v1/agreements/{number}/verify': (w) => ({ path: `/api/v1/agreements/${w.a.agreementNumber}/verify`, query: { c: verifyCode(w.t.config.verifyLinkSecret, w.a.agreementNumber) } }),
  'GET /api/v1/auth/me': () => ({ path: '/api/v1/auth/me' }),
  'POST /api/v1/auth/logout': () => ({ path: '/api/v1/auth/logout' }),
  'GET /api/v1/audit-events': () => ({ path: '/api/v1/audit-events', query: { limit: '500' } }),
  'GET /api/v1/audit-events/verify': () => ({ path: '/api/v1/audit-events/verify' }),

  'POST /api/v1/schools': () => ({ path: '/api/v1/schools', headers: idem(), body: { npsn: npsn(), name: `SMP Uji ${uniq()}`, level: 'SMP', district: 'Medan Baru' } }),
  'GET /api/v1/schools': () => ({ path: '/api/v1/schools', query: { limit: '500' } }),
  'GET /api/v1/schools/{id}': (w) => ({ path: `/api/v1/schools/${w.cast.schoolA.id}` }),
  'PATCH /api/v1/schools/{id}': (w) => ({ path: `/api/v1/schools/${w.cast.schoolA.id}`, body: { address: `Jl. Uji No. ${randomInt(1000)}` } }),

  'POST /api/v1/users': (w) => ({
    path: '/api/v1/users',
    headers: idem(),
    body: { email: `new.${uniq()}@a.test`, name: 'New operator', password: `pw-${randomUUID()}`, role: 'school_admin', schoolId: w.cast.schoolA.id },
  }),
  'GET /api/v1/users': () => ({ path: '/api/v1/users', query: { limit: '500' } }),
  'GET /api/v1/users/{id}': (w) => ({ path: `/api/v1/users/${w.a.userId}` }),
  'PATCH /api/v1/users/{id}': (w) => ({ path: `/api/v1/users/${w.a.userId}`, body: { name: `Operator A2 ${uniq()}` } }),
  'POST /api/v1/api-keys': (w) => ({ path: '/api/v1/api-keys', headers: idem(), body: { name: `Key ${uniq()}`, role: 'school_admin', schoolId: w.cast.schoolA.id } }),
  'GET /api/v1/api-keys': () => ({ path: '/api/v1/api-keys', query: { limit: '500' } }),
  'GET /api/v1/api-keys/{id}': (w) => ({ path: `/api/v1/api-keys/${w.a.apiKeyId}` }),
  'POST /api/v1/api-keys/{id}/revoke': async (w) => {
    const key = await asAdmin(w, 'POST', '/api/v1/api-keys', { name: `Key ${uniq()}`, role: 'school_admin', schoolId: w.cast.schoolA.id });
    w.secrets.add(key.body.id);
    return { path: `/api/v1/api-keys/${key.body.id}/revoke` };
  },

  'POST /api/v1/device-models': () => ({ path: '/api/v1/device-models', headers: idem(), body: { manufacturer: 'Lenovo', model: `IdeaPad ${uniq()}`, category: 'laptop' } }),
  'GET /api/v1/device-models': () => ({ path: '/api/v1/device-models' }),
  'GET /api/v1/device-models/{id}': (w) => ({ path: `/api/v1/device-models/${w.model.id}` }),
  'PATCH /api/v1/device-models/{id}': (w) => ({ path: `/api/v1/device-models/${w.model.id}`, body: { specs: { ramGb: 4 + randomInt(4) } } }),
  'POST /api/v1/procurement-batches': (w) => ({
    path: '/api/v1/procurement-batches',
    headers: idem(),
    body: { contractRef: `SPK/${uniq()}/DISDIK/2027`, fundingSource: 'APBD 2027', receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 10, modelId: w.model.id },
  }),
  'GET /api/v1/procurement-batches': () => ({ path: '/api/v1/procurement-batches' }),
  'GET /api/v1/procurement-batches/{id}': (w) => ({ path: `/api/v1/procurement-batches/${w.batch.id}` }),

  'POST /api/v1/devices/import': (w) => {
    const n = uniq();
    return {
      path: '/api/v1/devices/import',
      headers: idem(),
      csv: `asset_tag,serial_number,contract_ref,model,school_npsn,condition,accessories,warranty_ends_on,notes\nIMP-${n},SNIMP${n},${w.batch.contractRef},${w.model.manufacturer} ${w.model.model},${w.cast.schoolA.npsn},new,charger;bag,2030-01-31,\n`,
    };
  },
  'POST /api/v1/devices': (w) => {
    const n = uniq();
    return {
      path: '/api/v1/devices',
      headers: idem(),
      body: { assetTag: `REG-${n}`, serialNumber: `SNREG${n}`, modelId: w.model.id, batchId: w.batch.id, schoolId: w.cast.schoolA.id },
    };
  },
  'GET /api/v1/devices': () => ({ path: '/api/v1/devices', query: { limit: '500' } }),
  'GET /api/v1/devices/lookup': (w) => ({ path: '/api/v1/devices/lookup', query: { code: w.a.assetTag } }),
  'GET /api/v1/devices/labels.pdf': (w) => ({ path: '/api/v1/devices/labels.pdf', query: { schoolId: w.cast.schoolA.id, batchId: w.batch.id } }),
  'GET /api/v1/devices/stock': () => ({ path: '/api/v1/devices/stock' }),
  'GET /api/v1/devices/reconciliation': () => ({ path: '/api/v1/devices/reconciliation' }),
  'POST /api/v1/devices/transfers': async (w) => ({ path: '/api/v1/devices/transfers', headers: idem(), body: { deviceIds: [await freshDevice(w)], toSchoolId: null, reason: 'back to the store' } }),
  'GET /api/v1/devices/{id}': (w) => ({ path: `/api/v1/devices/${w.a.deviceId}` }),
  'PATCH /api/v1/devices/{id}': (w) => ({ path: `/api/v1/devices/${w.a.deviceId}`, body: { notes: `Rak ${randomInt(100)}` } }),
  'POST /api/v1/devices/{id}/transfer': async (w) => ({ path: `/api/v1/devices/${await freshDevice(w)}/transfer`, headers: idem(), body: { toSchoolId: null } }),
  'POST /api/v1/devices/{id}/retire': async (w) => ({ path: `/api/v1/devices/${await freshDevice(w)}/retire`, headers: idem(), body: { reason: 'scrapped' } }),
  'POST /api/v1/devices/{id}/recover': async (w) => ({ path: `/api/v1/devices/${await freshDevice(w, w.cast.schoolA.id, 'lost')}/recover`, headers: idem(), body: { condition: 'fair' } }),
  'POST /api/v1/devices/{id}/repairs': async (w) => ({ path: `/api/v1/devices/${await freshDevice(w)}/repairs`, headers: idem(), body: { vendor: 'CV Servis', problem: 'Engsel patah', costEstimate: 150_000 } }),
  'GET /api/v1/devices/{id}/repairs': (w) => ({ path: `/api/v1/devices/${w.a.repairDeviceId}/repairs` }),
  'POST /api/v1/devices/{id}/repairs/{repairId}/close': async (w) => {
    const repair = await freshRepair(w);
    return { path: `/api/v1/devices/${repair.deviceId}/repairs/${repair.repairId}/close`, headers: idem(), body: { outcome: 'repaired', finalCost: 120_000 } };
  },

  'POST /api/v1/stocktakes': async (w) => {
    await closeOpenStocktakes(w);
    return { path: '/api/v1/stocktakes', headers: idem(), body: { schoolId: w.cast.schoolA.id } };
  },
  'GET /api/v1/stocktakes': () => ({ path: '/api/v1/stocktakes', query: { limit: '500' } }),
  'GET /api/v1/stocktakes/{id}': (w) => ({ path: `/api/v1/stocktakes/${w.a.stocktakeId}` }),
  'POST /api/v1/stocktakes/{id}/scans': async (w) => ({ path: `/api/v1/stocktakes/${await openStocktake(w)}/scans`, headers: idem(), body: { codes: [w.a.assetTag] } }),
  'POST /api/v1/stocktakes/{id}/close': async (w) => ({ path: `/api/v1/stocktakes/${await openStocktake(w)}/close`, headers: idem(), body: {} }),

  'POST /api/v1/students': (w) => ({
    path: '/api/v1/students',
    headers: idem(),
    body: { nisn: nisn(), fullName: 'Murid Baru', schoolId: w.cast.schoolA.id, grade: 8, dateOfBirth: '2013-05-17' },
  }),
  'POST /api/v1/students/import': (w) => ({
    path: '/api/v1/students/import',
    query: { schoolId: w.cast.schoolA.id },
    headers: idem(),
    csv: `NISN,Nama,Tanggal Lahir,Rombel Saat Ini,HP,Penerima KIP\n${nisn()},Murid Impor,2013-05-17,8A,0812-3456-7890,Ya\n`,
  }),
  'GET /api/v1/students': () => ({ path: '/api/v1/students', query: { limit: '500' } }),
  'GET /api/v1/students/{id}': (w) => ({ path: `/api/v1/students/${w.a.studentId}` }),
  'PATCH /api/v1/students/{id}': (w) => ({ path: `/api/v1/students/${w.a.studentId}`, body: { className: `8${String.fromCharCode(65 + randomInt(6))}` } }),

  'GET /api/v1/students/{id}/consents': (w) => ({ path: `/api/v1/students/${w.a.studentId}/consents` }),
  'POST /api/v1/students/{id}/consents': (w) => ({ path: `/api/v1/students/${w.a.studentId}/consents`, headers: idem(), body: CONSENT }),
  'POST /api/v1/students/{id}/consents/{consentId}/withdraw': async (w) => {
    const studentId = await freshStudent(w);
    const consent = await asAdmin(w, 'POST', `/api/v1/students/${studentId}/consents`, CONSENT);
    w.secrets.add(consent.body.id);
    return { path: `/api/v1/students/${studentId}/consents/${consent.body.id}/withdraw`, headers: idem(), body: { reason: 'Orang tua menarik persetujuan' } };
  },
  'GET /api/v1/students/{id}/data-export': (w) => ({ path: `/api/v1/students/${w.a.studentId}/data-export` }),
  'POST /api/v1/students/anonymise-departed': () => ({ path: '/api/v1/students/anonymise-departed' }),
  'GET /api/v1/student-access-log': (w) => ({ path: '/api/v1/student-access-log', query: { studentId: w.a.studentId } }),

  'POST /api/v1/programs': () => ({
    path: '/api/v1/programs',
    headers: idem(),
    body: { code: code(), name: `Program ${uniq()}`, startsOn: '2027-01-01', endsOn: '2027-12-31', loanDueDate: '2027-06-30', termsText: 'Syarat uji.' },
  }),
  'GET /api/v1/programs': () => ({ path: '/api/v1/programs' }),
  'GET /api/v1/programs/{id}': (w) => ({ path: `/api/v1/programs/${w.programId}` }),
  'PATCH /api/v1/programs/{id}': (w) => ({ path: `/api/v1/programs/${w.programId}`, body: { name: `Laptop Pelajar ${uniq()}` } }),
  'POST /api/v1/programs/{id}/terms': (w) => ({ path: `/api/v1/programs/${w.programId}/terms`, headers: idem(), body: { text: `Syarat versi ${uniq()}` } }),
  'GET /api/v1/programs/{id}/terms': (w) => ({ path: `/api/v1/programs/${w.programId}/terms` }),
  'GET /api/v1/programs/{id}/terms/{version}': (w) => ({ path: `/api/v1/programs/${w.programId}/terms/1` }),
  'GET /api/v1/programs/{id}/quotas': (w) => ({ path: `/api/v1/programs/${w.programId}/quotas` }),
  'PUT /api/v1/programs/{id}/quotas': (w) => ({ path: `/api/v1/programs/${w.programId}/quotas`, body: { quotas: [{ schoolId: w.cast.schoolA.id, quota: 1000 }] } }),
  'GET /api/v1/programs/{programId}/eligibility/{studentId}': (w) => ({ path: `/api/v1/programs/${w.programId}/eligibility/${w.a.studentId}` }),
  'POST /api/v1/programs/{programId}/applications': async (w) => ({ path: `/api/v1/programs/${w.programId}/applications`, headers: idem(), body: { studentId: await freshStudent(w) } }),
  'GET /api/v1/programs/{programId}/applications': (w) => ({ path: `/api/v1/programs/${w.programId}/applications`, query: { limit: '500' } }),
  'GET /api/v1/programs/{programId}/applications/{id}': (w) => ({ path: `/api/v1/programs/${w.programId}/applications/${w.a.applicationId}` }),
  'POST /api/v1/programs/{programId}/applications/{id}/withdraw': async (w) => ({ path: `/api/v1/programs/${w.programId}/applications/${await freshApplication(w)}/withdraw` }),
  'GET /api/v1/programs/{programId}/duplicate-beneficiaries': (w) => ({ path: `/api/v1/programs/${w.familyProgramId}/duplicate-beneficiaries` }),
  'POST /api/v1/programs/{programId}/allocations': (w) => ({ path: `/api/v1/programs/${w.programId}/allocations`, headers: idem(), body: { dryRun: true } }),
  'POST /api/v1/programs/eligibility-preview': (w) => ({ path: '/api/v1/programs/eligibility-preview', body: { studentId: w.a.studentId, programId: w.programId, rules: { grades: { min: 7, max: 12 } } } }),

  'POST /api/v1/loans': async (w) => ({
    path: '/api/v1/loans',
    headers: idem(),
    body: { programId: w.programId, studentId: await freshStudent(w), deviceId: await freshDevice(w), guardianConsent: consent() },
  }),
  'GET /api/v1/loans': () => ({ path: '/api/v1/loans', query: { limit: '500' } }),
  'POST /api/v1/loans/bulk-issue': async (w) => ({
    path: '/api/v1/loans/bulk-issue',
    headers: idem(),
    body: { programId: w.programId, items: [{ studentId: await freshStudent(w), deviceId: await freshDevice(w), guardianConsent: consent() }] },
  }),
  'POST /api/v1/loans/bulk-return': async (w) => ({ path: '/api/v1/loans/bulk-return', headers: idem(), body: { items: [{ loanId: (await freshLoan(w)).id, ...RETURN_OK }] } }),
  'GET /api/v1/loans/{id}': (w) => ({ path: `/api/v1/loans/${w.a.loanId}` }),
  'POST /api/v1/loans/{id}/return': async (w) => ({ path: `/api/v1/loans/${(await freshLoan(w)).id}/return`, headers: idem(), body: RETURN_OK }),
  'POST /api/v1/loans/{id}/extend': async (w) => ({ path: `/api/v1/loans/${(await freshLoan(w)).id}/extend`, headers: idem(), body: { newDueDate: '2099-07-31', reason: 'Ujian susulan' } }),
  'POST /api/v1/loans/{id}/report-loss': async (w) => ({ path: `/api/v1/loans/${(await freshLoan(w)).id}/report-loss`, headers: idem(), body: { kind: 'lost', occurredOn: wibToday() } }),
  'POST /api/v1/loans/{id}/transfer': async (w) => {
    const loan = await freshLoan(w);
    // This loan, its student and device end up at school B: no longer school A's secrets.
    for (const id of [loan.id, loan.studentId, loan.deviceId]) w.secrets.delete(id);
    // The loan follows its student: move the student to B first (as the program office would).
    await asAdmin(w, 'PATCH', `/api/v1/students/${loan.studentId}`, { schoolId: w.cast.schoolB.id });
    return { path: `/api/v1/loans/${loan.id}/transfer`, headers: idem(), body: { toSchoolId: w.cast.schoolB.id } };
  },
  'GET /api/v1/loans/{id}/agreement.pdf': (w) => ({ path: `/api/v1/loans/${w.a.loanId}/agreement.pdf` }),
  'GET /api/v1/loans/{id}/signature.png': (w) => ({ path: `/api/v1/loans/${w.a.signedLoanId}/signature.png` }),
  'GET /api/v1/loans/{id}/return-receipt.pdf': (w) => ({ path: `/api/v1/loans/${w.a.returnedLoanId}/return-receipt.pdf` }),

  'GET /api/v1/charges': () => ({ path: '/api/v1/charges', query: { limit: '500' } }),
  'POST /api/v1/charges/{id}/pay': async (w) => ({ path: `/api/v1/charges/${await freshCharge(w, false)}/pay`, body: { paymentReference: `KWT-${uniq()}` } }),
  'POST /api/v1/charges/{id}/waive': async (w) => ({ path: `/api/v1/charges/${await freshCharge(w, true)}/waive`, body: { reason: 'Keluarga penerima PKH' } }),
  'GET /api/v1/programs/{programId}/price-list': (w) => ({ path: `/api/v1/programs/${w.programId}/price-list` }),
  'PUT /api/v1/programs/{programId}/price-list': (w) => ({ path: `/api/v1/programs/${w.programId}/price-list`, body: { items: PRICES } }),

  'GET /api/v1/reports/coverage': (w) => ({ path: '/api/v1/reports/coverage', query: { programId: w.programId } }),
  'GET /api/v1/reports/stock-reconciliation': () => ({ path: '/api/v1/reports/stock-reconciliation' }),
  'GET /api/v1/reports/overdue': () => ({ path: '/api/v1/reports/overdue' }),
  'GET /api/v1/reports/losses': () => ({ path: '/api/v1/reports/losses' }),
  'GET /api/v1/reports/activity': () => ({ path: '/api/v1/reports/activity' }),
  'GET /api/v1/reports/summary.pdf': () => ({ path: '/api/v1/reports/summary.pdf' }),
  'GET /api/v1/reports/evidence-pack.zip': (w) => ({ path: '/api/v1/reports/evidence-pack.zip', query: { programId: w.programId, schoolId: w.cast.schoolA.id } }),
  'GET /api/v1/worklists/overdue': () => ({ path: '/api/v1/worklists/overdue', query: { limit: '500' } }),
  'GET /api/v1/worklists/leavers': () => ({ path: '/api/v1/worklists/leavers', query: { limit: '500' } }),
  'GET /api/v1/worklists/open-charges': () => ({ path: '/api/v1/worklists/open-charges', query: { limit: '500' } }),
  'GET /api/v1/worklists/awaiting-pickup': () => ({ path: '/api/v1/worklists/awaiting-pickup', query: { limit: '500' } }),

  'GET /api/v1/notifications': () => ({ path: '/api/v1/notifications', query: { limit: '500' } }),
  'POST /api/v1/notifications/run-reminders': () => ({ path: '/api/v1/notifications/run-reminders', headers: idem() }),
};

/** Path parameter -> a school-A id, by the parameter's name and the resource before it. */
function idFor(w: World, segments: string[], index: number, name: string): string {
  const resource = segments[index - 1] ?? '';
  const byName: Record<string, string> = {
    programId: w.programId,
    studentId: w.a.studentId,
    repairId: w.a.repairId,
    number: w.a.agreementNumber,
    version: '1',
  };
  if (byName[name]) return byName[name];
  const byResource: Record<string, string> = {
    schools: w.cast.schoolA.id,
    students: w.a.studentId,
    devices: w.a.deviceId,
    'device-models': w.model.id,
    'procurement-batches': w.batch.id,
    stocktakes: w.a.stocktakeId,
    programs: w.programId,
    applications: w.a.applicationId,
    loans: w.a.loanId,
    charges: w.a.chargeId,
    users: w.a.userId,
    'api-keys': w.a.apiKeyId,
  };
  return byResource[resource] ?? randomUUID();
}

/** For an operation without a recipe: ids by resource, a body built from the schema's examples. */
export function genericRequest(w: World, method: Method, template: string, example: unknown): Req {
  const segments = template.split('/');
  const path = segments.map((s, i) => (s.startsWith('{') ? idFor(w, segments, i, s.slice(1, -1)) : s)).join('/');
  return { method, path, body: method === 'GET' ? undefined : example ?? {}, headers: method === 'GET' ? {} : idem() };
}

export async function recipe(w: World, method: Method, template: string, example: () => unknown): Promise<Req> {
  const make = RECIPES[`${method} ${template}`];
  if (!make) return genericRequest(w, method, template, example());
  return { method, ...(await make(w)) };
}

// ---------------------------------------------------------------- the database

/**
 * Tables written in the background, not by the request that is being judged: the audit sealer
 * links committed events into blocks every second; the student access log is written by reads
 * that succeed (before their answer), and another test's read may land between two snapshots
 * (docs/audit.md, docs/privacy.md). `login_attempts` holds the shared rate-limit counters, which
 * count every request, refused or not (decisions 33, 39). The activity tally's two tables are
 * folded into each other every 2 s (decisions 65): they are judged through the view they make up,
 * `report_activity_daily` (VIEWS_JUDGED), which a fold leaves unchanged and any tallied write changes.
 */
export const BACKGROUND_TABLES = ['audit_blocks', 'student_access_log', 'login_attempts', 'activity_tally_deltas', 'activity_tally_folded'];
const VIEWS_JUDGED = ['report_activity_daily'];

/**
 * Every table's row count and a digest of its rows, so a refused request that changed anything
 * at all (an insert, an update, a delete) is caught. `last_used_at` of API keys is left out: a
 * valid key records its use (at most once a minute) whatever the request's outcome.
 */
export async function snapshot(db: pg.Pool): Promise<Record<string, string>> {
  const { rows: tables } = await db.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata') AND NOT (tablename = ANY($1)) ORDER BY 1`,
    [BACKGROUND_TABLES],
  );
  const parts = [...tables, ...VIEWS_JUDGED.map((tablename) => ({ tablename }))].map(
    ({ tablename }: { tablename: string }) =>
      `SELECT '${tablename}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(md5((to_jsonb(x) - 'last_used_at')::text), '' ORDER BY md5((to_jsonb(x) - 'last_used_at')::text))), '') AS v FROM "${tablename}" x`,
  );
  const { rows } = await db.query(parts.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r: { t: string; v: string }) => [r.t, r.v]));
}

export function changedTables(before: Record<string, string | number>, after: Record<string, string | number>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}

/**
 * For the suites that walk the OpenAPI document and call every operation: the app with Swagger
 * on, its document as served, and a world of users and records to call it as.
 */
export async function startDocumentedWorld(): Promise<{ t: TestApp; doc: OpenApiDocument; w: World }> {
  const t = await startTestApp({ SWAGGER_ENABLED: 'true' });
  const doc = (await t.http().get('/docs-json')).body as OpenApiDocument;
  return { t, doc, w: await buildWorld(t) };
}
