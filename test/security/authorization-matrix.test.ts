import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { consent, RETURN_OK, wibToday } from '../loans/loan-fixtures.js';
import { exampleOf, type OpenApiDocument, type Operation, operations } from './openapi-doc.js';
import { CROSS_SCHOOL, type Expect, type OperationPolicy, POLICY, type RoleActor } from './policy.js';
import {
  ACTORS,
  type Actor,
  buildWorld,
  changedTables,
  closeOpenStocktakes,
  credentials,
  freshCharge,
  freshDevice,
  freshLoan,
  freshStudent,
  type Method,
  recipe,
  type Req,
  send,
  sessionCredentials,
  snapshot,
  UNAUTHENTICATED,
  type World,
} from './world.js';

/**
 * The authorization matrix: every operation of the served OpenAPI document x every kind of
 * caller, each answer compared with test/security/policy.ts. Reproduce with
 *   npm test -- --testPathPatterns test/security/authorization-matrix
 */

let t: TestApp;
let doc: OpenApiDocument;
let ops: Operation[];
let w: World;

beforeAll(async () => {
  t = await startTestApp({ SWAGGER_ENABLED: 'true' });
  const res = await t.http().get('/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
  ops = operations(doc);
  w = await buildWorld(t);
}, 120_000);
afterAll(() => t?.close());

/** The role actor a cell is judged as (a school-B API key is judged as school B's admin). */
const judgedAs = (actor: Actor): RoleActor | null =>
  actor === 'other_api_key' ? 'other' : (UNAUTHENTICATED as readonly string[]).includes(actor) ? null : (actor as RoleActor);

function expectation(policy: OperationPolicy, actor: Actor): Expect | 401 {
  const role = judgedAs(actor);
  if (role === null) return policy.public ? policy.program_admin : 401;
  return policy[role];
}

const isOk = (e: Expect | 401 | 400) => e === 'ok' || typeof e === 'object';
const describeExpect = (e: Expect | 401 | 400) => (e === 'ok' ? '2xx' : typeof e === 'object' ? `2xx with every item ${e.items}` : String(e));

/** What a cell found wrong, if anything. */
function judge(res: Response, expected: Expect | 401 | 400): string | null {
  const s = res.status;
  if (expected === 'ok') return s >= 200 && s < 300 ? null : `expected 2xx, got ${s} ${summary(res)}`;
  if (typeof expected === 'object') {
    if (s < 200 || s >= 300) return `expected 2xx with refused items, got ${s} ${summary(res)}`;
    const results: { outcome: string; problem?: { status: number } }[] = res.body.results ?? [];
    const wrong = results.filter((r) => r.outcome !== 'failed' || r.problem?.status !== expected.items);
    return results.length && !wrong.length ? null : `expected every item ${expected.items}, got ${JSON.stringify(results.map((r) => r.problem?.status ?? r.outcome))}`;
  }
  if (s !== expected) return `expected ${expected}, got ${s} ${summary(res)}`;
  if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) return `a ${s} that is not problem+json`;
  return null;
}

const summary = (res: Response) => (res.headers['content-type']?.includes('json') ? res.text.slice(0, 200) : `(${res.headers['content-type']})`);

/** Leaks: school A's ids in an answer to school B (beyond what B itself sent), secrets anywhere. */
function leaks(res: Response, actor: Actor, req: Req, policy?: OperationPolicy): string[] {
  const found: string[] = [];
  const text = res.headers['content-type']?.includes('pdf') ? '' : res.text ?? '';
  if (judgedAs(actor) === 'other') {
    const sent = JSON.stringify([req.path, req.query ?? {}, req.body ?? null]);
    for (const secret of w.secrets) {
      if (policy?.namesSchools && secret === w.cast.schoolA.id) continue;
      if (text.includes(secret) && !sent.includes(secret)) found.push(`school A's ${secret}`);
    }
  }
  if (/\$argon2|"(password|password_?hash|secret_?hash)"\s*:/i.test(text)) found.push('a password or key hash');
  for (const user of [w.cast.admin, w.cast.auditor, w.cast.operatorA, w.cast.operatorB]) if (text.includes(user.password)) found.push('a password');
  return found;
}

interface Cell {
  op: string;
  actor: Actor;
  expected: string;
  status: number;
  problem?: string;
}

const cells: Cell[] = [];
const violations: string[] = [];
/** Requests this file sends to the cells and checks (seeding excluded). */
let requests = 0;
const hit = (req: Req, headers: Record<string, string>) => {
  requests++;
  return send(t, req, headers);
};

function statusDocumented(op: Operation, status: number): boolean {
  // 429 (login throttling) and 413/415 are answered by the platform before any route code.
  return op.responses.has(status) || [413, 415, 429].includes(status);
}

async function runOperation(op: Operation): Promise<void> {
  const policy = POLICY[op.key];
  const method = op.method as Method;
  const example = () => exampleOf(doc, op.body?.content?.['application/json']?.schema);
  const refused = ACTORS.filter((a) => !(expectation(policy, a) === 'ok'));
  const allowed = ACTORS.filter((a) => expectation(policy, a) === 'ok');

  const record = (actor: Actor, req: Req, res: Response, expected: Expect | 401) => {
    const problem = judge(res, expected) ?? undefined;
    cells.push({ op: op.key, actor, expected: describeExpect(expected), status: res.status, problem });
    if (problem) violations.push(`${op.key} as ${actor}: ${problem}`);
    for (const leak of leaks(res, actor, req, policy)) violations.push(`${op.key} as ${actor}: LEAK of ${leak}`);
    if (!statusDocumented(op, res.status)) violations.push(`${op.key} as ${actor}: answered ${res.status}, which the document does not list`);
    if (actor === 'auditor' && method !== 'GET' && !policy.public && !policy.ownSession && res.status < 300) violations.push(`${op.key}: AN AUDITOR WROTE (${res.status})`);
  };

  // Refused cells share one request; none of them may change anything.
  const probe = await recipe(w, method, op.path, example);
  const before = method === 'GET' ? null : await snapshot(t.db);
  for (const actor of refused) {
    const res = await hit(withFreshKey(probe), await sessionCredentials(w, op.key, credentials(w, actor)));
    record(actor, probe, res, expectation(policy, actor));
    if (actor === 'other') {
      const oracle = await existenceOracle(probe, res);
      if (oracle) violations.push(`${op.key} as other: ${oracle}`);
    }
  }
  if (before) {
    // A bulk request whose items were all refused still stores its (idempotent) 200 answer.
    const tolerated = refused.some((a) => typeof expectation(policy, a) === 'object') ? ['idempotency_records'] : [];
    const changed = changedTables(before, await snapshot(t.db)).filter((table) => !tolerated.includes(table));
    if (changed.length) violations.push(`${op.key}: refused requests changed ${changed.join(', ')}`);
  }
  // Allowed cells: a fresh request each, since a write consumes its record (a loan returns once).
  for (const actor of allowed) {
    const req = method === 'GET' ? probe : await recipe(w, method, op.path, example);
    const res = await hit(req, await sessionCredentials(w, op.key, credentials(w, actor)));
    record(actor, req, res, 'ok');
    if (actor === 'other' && method === 'GET') {
      const oracle = await existenceOracle(req, res);
      if (oracle) violations.push(`${op.key} as other: ${oracle}`);
    }
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The answer with what differs between two equivalent requests (ids, request ids, times) masked. */
function normalised(res: Response): string {
  const body = res.headers['content-type']?.includes('json') ? res.body : res.headers['content-type'];
  const strip = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !['instance', 'requestId'].includes(k)).map(([k, x]) => [k, strip(x)])) : v;
  return JSON.stringify({ status: res.status, body: strip(body) }).replace(UUID, '<id>');
}

/**
 * "Never a hint that it exists": school B's admin sends the same request with school A's ids
 * swapped for ids nothing has. The two answers must not differ (beyond the ids themselves).
 */
async function existenceOracle(req: Req, res: Response): Promise<string | null> {
  const text = JSON.stringify([req.path, req.query ?? {}, req.body ?? null]);
  const present = [...w.secrets].filter((s) => UUID.test(s) && (UUID.lastIndex = 0, text.includes(s)));
  UUID.lastIndex = 0;
  if (!present.length) return null;
  const swap = (value: string) => present.reduce((v, id) => v.split(id).join(randomUUID()), value);
  const absent: Req = JSON.parse(swap(JSON.stringify(req)));
  const other = await hit(withFreshKey(absent), credentials(w, 'other'));
  const [a, b] = [normalised(res), normalised(other)];
  return a === b ? null : `EXISTENCE ORACLE: school A's record answers ${a.slice(0, 200)} but an absent one ${b.slice(0, 200)}`;
}

/** Every send gets its own Idempotency-Key, so no cell replays another's answer. */
function withFreshKey(req: Req): Req {
  if (!req.headers?.['idempotency-key']) return req;
  return { ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() } };
}

describe('authorization matrix', () => {
  it('has a policy for every operation the API serves, and none for operations it does not', () => {
    const missing = ops.filter((o) => !POLICY[o.key]).map((o) => o.key);
    const stale = Object.keys(POLICY).filter((k) => !ops.some((o) => o.key === k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('agrees with the document: public operations need no credentials, the rest document 401 and every refusal they give', () => {
    const problems: string[] = [];
    for (const op of ops) {
      const policy = POLICY[op.key];
      if (!policy) continue;
      if (!!policy.public !== op.public) problems.push(`${op.key}: policy says ${policy.public ? 'public' : 'authenticated'}, the document says ${op.public ? 'public' : 'authenticated'}`);
      const expected = new Set<number>([...(policy.public ? [] : [401]), ...(['program_admin', 'auditor', 'own', 'other'] as const).map((r) => policy[r]).filter((e): e is 403 | 404 | 422 => typeof e === 'number')]);
      for (const status of expected) if (!op.responses.has(status)) problems.push(`${op.key}: refuses with ${status} but does not document it`);
      // Auditors never write (decisions 8): no policy may say otherwise.
      if (op.method !== 'GET' && !policy.public && !policy.ownSession && policy.auditor !== 403) problems.push(`${op.key}: the policy lets an auditor write`);
    }
    expect(problems).toEqual([]);
  });

  it('answers every operation x caller as the policy says, leaks nothing to another school, and refused writes change nothing', async () => {
    const started = Date.now();
    for (const op of ops) if (POLICY[op.key]) await runOperation(op);
    const actors = ACTORS.length;
    console.log(
      `authorization matrix: ${ops.length} operations x ${actors} callers = ${cells.length} cells ` +
        // A bulk request whose every item is refused counts as refused.
        `(${cells.filter((c) => c.expected === '2xx').length} allowed, ${cells.filter((c) => c.expected !== '2xx').length} refused), ` +
        `${violations.length} violations; ${requests} requests, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (violations.length) console.log(`authorization matrix violations:\n${violations.join('\n')}`);
    expect(violations).toEqual([]);
  }, 180_000);

  it('refuses body and query ids of another school, and fields a caller may not set', async () => {
    const builders = crossSchoolRequests();
    const problems: string[] = [];
    let sent = 0;
    for (const c of CROSS_SCHOOL) {
      const build = builders[c.name];
      if (!build) {
        problems.push(`${c.name}: no request builder`);
        continue;
      }
      const req = await build();
      const before = await snapshot(t.db);
      const res = await hit(req, credentials(w, c.actor));
      sent++;
      const problem = judge(res, c.expect as Expect | 400);
      if (problem) problems.push(`${c.name} as ${c.actor}: ${problem}`);
      for (const leak of leaks(res, c.actor, req)) problems.push(`${c.name} as ${c.actor}: LEAK of ${leak}`);
      if (c.actor === 'other') {
        const oracle = await existenceOracle(req, res);
        if (oracle) problems.push(`${c.name}: ${oracle}`);
      }
      if (!isOk(c.expect) || typeof c.expect === 'object' || req.method === 'GET') {
        const changed = changedTables(before, await snapshot(t.db)).filter((x) => !(typeof c.expect === 'object' && x === 'idempotency_records'));
        if (changed.length) problems.push(`${c.name} as ${c.actor}: changed ${changed.join(', ')}`);
      }
    }
    console.log(`authorization matrix, cross-school bodies: ${sent} cases, ${problems.length} violations (${requests} requests in all, with the existence-oracle re-sends)`);
    if (problems.length) console.log(`authorization matrix, cross-school violations:\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  });
});

/** The requests of policy.CROSS_SCHOOL, by name. */
function crossSchoolRequests(): Record<string, () => Promise<Req>> {
  const A = () => w.cast.schoolA.id;
  const B = () => w.cast.schoolB.id;
  const key = () => ({ 'idempotency-key': randomUUID() });
  const issue = (studentId: string, deviceId: string): Req => ({
    method: 'POST',
    path: '/api/v1/loans',
    headers: key(),
    body: { programId: w.programId, studentId, deviceId, guardianConsent: consent() },
  });
  const bStudent = () => freshStudent(w, B());
  const bDevice = () => freshDevice(w, B());
  const list = (path: string, query: Record<string, string>) => async (): Promise<Req> => ({ method: 'GET', path, query });
  return {
    'issue: A student + B device': async () => issue(await freshStudent(w), await bDevice()),
    'issue: B student + A device': async () => issue(await bStudent(), await freshDevice(w)),
    'issue: A student + B device (program admin)': async () => issue(await freshStudent(w), await bDevice()),
    'issue: A student + A device': async () => issue(await freshStudent(w), await freshDevice(w)),
    'apply: A student in a program': async () => ({ method: 'POST', path: `/api/v1/programs/${w.programId}/applications`, headers: key(), body: { studentId: await freshStudent(w) } }),
    'eligibility of A student': async () => ({ method: 'GET', path: `/api/v1/programs/${w.programId}/eligibility/${w.a.studentId}` }),
    'bulk-issue: A student + A device': async () => ({
      method: 'POST',
      path: '/api/v1/loans/bulk-issue',
      headers: key(),
      body: { programId: w.programId, items: [{ studentId: await freshStudent(w), deviceId: await freshDevice(w), guardianConsent: consent() }] },
    }),
    'bulk-issue: B student + A device': async () => ({
      method: 'POST',
      path: '/api/v1/loans/bulk-issue',
      headers: key(),
      body: { programId: w.programId, items: [{ studentId: await bStudent(), deviceId: await freshDevice(w), guardianConsent: consent() }] },
    }),
    'bulk-return: A loan': async () => ({ method: 'POST', path: '/api/v1/loans/bulk-return', headers: key(), body: { items: [{ loanId: (await freshLoan(w)).id, ...RETURN_OK }] } }),
    'bulk transfer: A device to B': async () => ({ method: 'POST', path: '/api/v1/devices/transfers', headers: key(), body: { deviceIds: [await freshDevice(w)], toSchoolId: B() } }),
    'bulk transfer: B device and A device to store': async () => ({
      method: 'POST',
      path: '/api/v1/devices/transfers',
      headers: key(),
      body: { deviceIds: [await bDevice(), await freshDevice(w)], toSchoolId: null },
    }),
    'bulk transfer: A device (own school admin)': async () => ({ method: 'POST', path: '/api/v1/devices/transfers', headers: key(), body: { deviceIds: [await freshDevice(w)], toSchoolId: B() } }),
    'transfer: A device to B': async () => ({ method: 'POST', path: `/api/v1/devices/${await freshDevice(w)}/transfer`, headers: key(), body: { toSchoolId: B() } }),
    'repair: A device': async () => ({ method: 'POST', path: `/api/v1/devices/${await freshDevice(w)}/repairs`, headers: key(), body: { vendor: 'CV B', problem: 'x' } }),
    'stock-take at A': async () => {
      await closeOpenStocktakes(w);
      return { method: 'POST', path: '/api/v1/stocktakes', headers: key(), body: { schoolId: A() } };
    },
    'register student at A': async () => ({
      method: 'POST',
      path: '/api/v1/students',
      headers: key(),
      body: { nisn: String(2_000_000_000 + Math.floor(Math.random() * 1e9)), fullName: 'Murid', schoolId: A(), grade: 8, dateOfBirth: '2013-05-17' },
    }),
    'register device at A': async () => ({
      method: 'POST',
      path: '/api/v1/devices',
      headers: key(),
      body: { assetTag: `X-${randomUUID().slice(0, 8)}`, serialNumber: `SN-${randomUUID().slice(0, 8)}`, modelId: w.model.id, batchId: w.batch.id, schoolId: A() },
    }),
    'move own student to A': async () => ({ method: 'PATCH', path: `/api/v1/students/${await bStudent()}`, body: { schoolId: A() } }),
    'close own stock-take relocating A devices': async () => {
      await closeOpenStocktakes(w, B());
      const open = await send(t, { method: 'POST', path: '/api/v1/stocktakes', headers: key(), body: { schoolId: B() } }, credentials(w, 'other'));
      expect(open.status).toBe(201);
      const scan = await send(t, { method: 'POST', path: `/api/v1/stocktakes/${open.body.id}/scans`, body: { codes: [w.a.assetTag] } }, credentials(w, 'other'));
      expect(scan.status).toBe(200);
      return { method: 'POST', path: `/api/v1/stocktakes/${open.body.id}/close`, headers: key(), body: { relocateUnexpected: true } };
    },
    'allocation run for A': async () => ({ method: 'POST', path: `/api/v1/programs/${w.programId}/allocations`, headers: key(), body: { schoolId: A() } }),
    'transfer loan of A to B': async () => ({ method: 'POST', path: `/api/v1/loans/${(await freshLoan(w)).id}/transfer`, headers: key(), body: { toSchoolId: B() } }),
    'transfer loan to a school the student is not at': async () => ({ method: 'POST', path: `/api/v1/loans/${(await freshLoan(w)).id}/transfer`, headers: key(), body: { toSchoolId: B() } }),
    'waive a non-hardship charge (own school)': async () => ({ method: 'POST', path: `/api/v1/charges/${await freshCharge(w, false)}/waive`, body: { reason: 'Mohon keringanan' } }),
    'report loss waiving replacement (own school)': async () => ({
      method: 'POST',
      path: `/api/v1/loans/${(await freshLoan(w)).id}/report-loss`,
      headers: key(),
      body: { kind: 'lost', occurredOn: wibToday(), waiveReplacement: true, waiveReason: 'Bencana banjir' },
    }),
    'list students ?schoolId=A': list('/api/v1/students', { schoolId: A() }),
    'list devices ?schoolId=A': list('/api/v1/devices', { schoolId: A() }),
    'list loans ?schoolId=A': list('/api/v1/loans', { schoolId: A() }),
    'list charges ?schoolId=A': list('/api/v1/charges', { schoolId: A() }),
    'list audit events ?schoolId=A': list('/api/v1/audit-events', { schoolId: A() }),
    'list stock-takes ?schoolId=A': list('/api/v1/stocktakes', { schoolId: A() }),
    'list notifications ?schoolId=A': list('/api/v1/notifications', { schoolId: A() }),
    'list applications ?schoolId=A': list(`/api/v1/programs/${w.programId}/applications`, { schoolId: A() }),
    'coverage report ?schoolId=A': list('/api/v1/reports/coverage', { programId: w.programId, schoolId: A() }),
    'overdue report ?schoolId=A': list('/api/v1/reports/overdue', { schoolId: A() }),
    'summary PDF ?schoolId=A': list('/api/v1/reports/summary.pdf', { schoolId: A() }),
    'worklist overdue ?schoolId=A': list('/api/v1/worklists/overdue', { schoolId: A() }),
    'worklist leavers ?schoolId=A': list('/api/v1/worklists/leavers', { schoolId: A() }),
    'worklist open charges ?schoolId=A': list('/api/v1/worklists/open-charges', { schoolId: A() }),
    'worklist awaiting pick-up ?schoolId=A': list('/api/v1/worklists/awaiting-pickup', { schoolId: A() }),
    'worklist overdue ?q=A NISN': list('/api/v1/worklists/overdue', { q: w.a.nisn }),
    'labels for a batch holding A devices': list('/api/v1/devices/labels.pdf', { batchId: w.batch.id }),
    'issue with a signature image that is not a PNG': async () => {
      const req = issue(await freshStudent(w), await freshDevice(w));
      return { ...req, body: { ...(req.body as object), guardianConsent: consent({ method: 'digital' }), guardianSignaturePng: 'iVBORw0KGgoAAAANSUhEUgAA' } };
    },
    'list loans ?studentId=A student': list('/api/v1/loans', { studentId: w.a.studentId }),
    'list charges ?studentId=A student': async () => {
      const { rows } = await t.db.query(`SELECT student_id FROM charges WHERE id = $1`, [w.a.chargeId]);
      return { method: 'GET', path: '/api/v1/charges', query: { studentId: rows[0].student_id } };
    },
    'list devices ?q=A asset tag': list('/api/v1/devices', { q: w.a.assetTag }),
    'list students ?q=A NISN': list('/api/v1/students', { q: w.a.nisn }),
    'patch device status': async () => ({ method: 'PATCH', path: `/api/v1/devices/${w.a.deviceId}`, body: { status: 'retired' } }),
    'patch device schoolId': async () => ({ method: 'PATCH', path: `/api/v1/devices/${w.a.deviceId}`, body: { schoolId: B() } }),
    'issue with status and schoolId': async () => {
      const req = issue(await freshStudent(w), await freshDevice(w));
      return { ...req, body: { ...(req.body as object), status: 'returned', schoolId: B(), issuedBy: w.cast.admin.id } };
    },
    'register student enrolled elsewhere': async () => ({
      method: 'POST',
      path: '/api/v1/students',
      headers: key(),
      body: { nisn: '3000000001', fullName: 'Murid', schoolId: A(), grade: 8, dateOfBirth: '2013-05-17', enrolmentStatus: 'graduated', id: randomUUID(), createdAt: '2020-01-01T00:00:00Z' },
    }),
    'patch own user role': async () => ({ method: 'PATCH', path: `/api/v1/users/${w.cast.operatorA.id}`, body: { role: 'program_admin' } }),
    'patch student version and createdAt': async () => ({ method: 'PATCH', path: `/api/v1/students/${w.a.studentId}`, body: { version: 99, createdAt: '2020-01-01T00:00:00Z' } }),
  };
}
