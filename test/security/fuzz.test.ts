import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { newSchool, newUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { newModel } from '../devices/device-helpers.js';
import { newProgram, newStudent } from '../loans/loan-fixtures.js';
import { type Case, edgeCases, invalidCases } from './arbitraries.js';
import { exampleOf, mismatches, type OpenApiDocument, type Operation, operations, type Schema } from './openapi-doc.js';
import { buildWorld, changedTables, credentials, type Method, recipe, type Req, send, sessionCredentials, snapshot, type World } from './world.js';

/**
 * Schema-driven fuzzing: for every operation of the served OpenAPI document, fast-check builds
 * requests that break the operation's schemas (and well-formed edge cases), sent as a program
 * administrator so they reach validation. Reproduce with
 *   npm test -- --testPathPatterns test/security/fuzz            (CI: 20 + 8 cases per operation)
 *   STRESS=1 npm test -- --testPathPatterns test/security/fuzz   (300 + 100 per operation)
 * FUZZ_SEED=<n> replays a run (the seed is printed).
 */

const STRESS = process.env.STRESS === '1';
const INVALID_PER_OP = Number(process.env.FUZZ_INVALID ?? (STRESS ? 300 : 20));
const EDGE_PER_OP = Number(process.env.FUZZ_EDGE ?? (STRESS ? 100 : 8));
const SEED = Number(process.env.FUZZ_SEED ?? (STRESS ? Date.now() % 2 ** 31 : 20_270_101));
const BODY_LIMIT = 64 * 1024;
const IMPORT_LIMIT = 256 * 1024;

/**
 * Statuses any operation may answer without documenting them, because the platform answers them
 * before the operation's own code runs: 401/403 (the guard: credentials and roles, for every
 * authenticated route), 404 (a tampered path that no longer names a route), 405 (a known path
 * with a method it does not serve), 413 (a body over the limit, Fastify's parser), 414 (a path
 * parameter over the router's 1000 characters), 415 (a content type the route does not parse)
 * and 429 (throttling). Everything else must be in the document.
 */
const PLATFORM = new Set([401, 403, 404, 405, 413, 414, 415, 429]);

/** What an error body must never carry: stack frames, SQL, driver messages, file paths. */
const INTERNALS = /\bat [\w.<>]+ \(|node_modules|\/work\/|\/src\/|\.ts:\d+|QueryFailedError|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|duplicate key value|violates [\w ]*constraint|syntax error at|invalid input syntax|\bpg_|TypeError|ReferenceError|Cannot read propert/i;
/** A password or a key's hash as a field of an answer (a field name echoed in an error is fine). */
const SECRETS = /\$argon2|"(password|password_?hash|secret_?hash)"\s*:/i;

let t: TestApp;
let doc: OpenApiDocument;
let ops: Operation[];
let w: World;
let admin: Record<string, string>;
/** Shared records that random valid edits could spoil for the other operations' recipes, and their stand-ins. */
let scratch: Map<string, string>;
const SCRATCH_OPS = new Set([
  'PATCH /api/v1/programs/{id}',
  'PUT /api/v1/programs/{id}/quotas',
  'POST /api/v1/programs/{id}/terms',
  'PUT /api/v1/programs/{programId}/price-list',
  'PATCH /api/v1/schools/{id}',
  'PATCH /api/v1/users/{id}',
  'PATCH /api/v1/students/{id}',
  'PATCH /api/v1/device-models/{id}',
]);

beforeAll(async () => {
  t = await startTestApp({ SWAGGER_ENABLED: 'true', BODY_LIMIT_BYTES: String(BODY_LIMIT), IMPORT_LIMIT_BYTES: String(IMPORT_LIMIT) });
  const res = await t.http().get('/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
  ops = operations(doc);
  w = await buildWorld(t);
  admin = credentials(w, 'program_admin');
  // A random valid PATCH may close the program, deactivate school A or empty the price list; the
  // operations that can do so are fuzzed on stand-ins so that every other recipe keeps working.
  scratch = new Map([
    [w.programId, (await newProgram(t, w.admin)).id],
    [w.cast.schoolA.id, (await newSchool(t.db)).id],
    [w.a.userId, (await newUser(t, 'school_admin', w.cast.schoolB.id)).id],
    [w.a.studentId, await newStudent(t, w.cast.schoolB.id)],
    [w.model.id, (await newModel(t, w.admin)).id],
  ]);
}, 120_000);
afterAll(() => t?.close());

const findings: string[] = [];
const counts = { invalid: 0, edge: 0, methods: 0 };
const statuses = new Map<number, number>();

function isProblem(res: Response) {
  return /^application\/problem\+json/.test(res.headers['content-type'] ?? '');
}

/** Everything a response must satisfy, whatever was sent. */
function check(op: Operation, c: Case, res: Response): string[] {
  const out: string[] = [];
  const s = res.status;
  statuses.set(s, (statuses.get(s) ?? 0) + 1);
  if (s >= 500 && !(s === 503 && op.responses.has(503))) out.push(`a ${s}`);
  if (!op.responses.has(s) && !PLATFORM.has(s)) out.push(`status ${s} is not documented (documented: ${[...op.responses.keys()].join(', ')})`);
  if (c.invalid && s < 400) out.push(`accepted a request the schema forbids (${s})`);
  if (s >= 400) {
    if (!isProblem(res)) out.push(`a ${s} that is not application/problem+json (${res.headers['content-type']})`);
    else {
      const p = res.body ?? {};
      for (const field of ['type', 'title', 'detail'] as const) if (typeof p[field] !== 'string' || !p[field]) out.push(`problem without ${field}`);
      if (p.status !== s) out.push(`problem.status ${p.status} but HTTP ${s}`);
      // The operation's own problem schema when the request still reached it; otherwise the generic one.
      const reached = templateOf(op.path).test(c.req.path.split('?')[0]);
      const problemSchema = (reached ? op.responses.get(s)?.schema : undefined) ?? doc.components.schemas.ProblemResponse;
      if (problemSchema) out.push(...mismatches(doc, problemSchema, p).map((m) => `problem body: ${m}`));
      if (INTERNALS.test(res.text)) out.push(`internals in an error body: ${res.text.slice(0, 200)}`);
    }
  }
  if (s >= 200 && s < 300) {
    const documented = op.responses.get(s);
    const type = (res.headers['content-type'] ?? '').split(';')[0];
    if (documented && documented.contentTypes.length && type && !documented.contentTypes.includes(type)) out.push(`a ${s} as ${type}, documented as ${documented.contentTypes.join(', ')}`);
    if (type === 'application/json' && documented?.schema) out.push(...mismatches(doc, documented.schema, res.body).map((m) => `response body: ${m}`));
  }
  if (res.headers['x-content-type-options'] !== 'nosniff') out.push('no X-Content-Type-Options: nosniff');
  if (SECRETS.test(res.headers['content-type']?.includes('pdf') ? '' : res.text ?? '')) out.push('a password or key hash in the answer');
  return out;
}

const templateOf = (template: string) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);

/** Each case gets its own Idempotency-Key, unless the key itself is what is being tested. */
function keyed(c: Case): Req {
  if (!c.req.headers?.['idempotency-key'] || c.kind.startsWith('Idempotency-Key')) return c.req;
  return { ...c.req, headers: { ...c.req.headers, 'idempotency-key': randomUUID() } };
}

function describeReq(req: Req): string {
  const body = req.raw ? `${req.raw.contentType} ${req.raw.text.slice(0, 80)}` : req.csv !== undefined ? `csv ${req.csv.slice(0, 60)}` : JSON.stringify(req.body ?? null).slice(0, 160);
  return `${req.method} ${req.path.slice(0, 120)}${req.query ? `?${new URLSearchParams(req.query).toString().slice(0, 80)}` : ''} ${body}`;
}

async function fuzz(op: Operation, index: number): Promise<void> {
  const method = op.method as Method;
  const example = () => exampleOf(doc, op.body?.content?.['application/json']?.schema);
  const ids = [w.cast.schoolA.id, w.cast.schoolB.id, w.a.studentId, w.a.deviceId, w.a.loanId, w.programId, w.model.id, w.batch.id];
  const baseline = async () => {
    const req = await recipe(w, method, op.path, example);
    if (!SCRATCH_OPS.has(op.key)) return req;
    return { ...req, path: [...scratch].reduce((path, [real, standIn]) => path.split(real).join(standIn), req.path) };
  };
  const context = async () => ({ doc, op, baseline: await baseline(), ids, bodyLimitBytes: BODY_LIMIT, importLimitBytes: IMPORT_LIMIT });

  // Invalid: each must be refused, and together they must leave the database as it was.
  const ctx = await context();
  const cases = fc.sample(invalidCases(ctx), { numRuns: INVALID_PER_OP, seed: SEED + index });
  const before = await snapshot(t.db);
  for (const c of cases) {
    if (!c.invalid) continue;
    const req = keyed(c);
    const res = await send(t, req, await sessionCredentials(w, op.key, admin));
    counts.invalid++;
    for (const f of check(op, c, res)) findings.push(`${op.key} [${c.kind}] ${f}\n      sent: ${describeReq(req)}\n      got: ${res.status} ${(res.text ?? '').slice(0, 200)}`);
  }
  const changed = changedTables(before, await snapshot(t.db));
  if (changed.length) findings.push(`${op.key}: invalid requests changed ${changed.join(', ')}`);

  // Valid and edge cases: a fresh baseline for writes, so a valid body has a record to act on.
  const edges = fc.sample(edgeCases(ctx), { numRuns: EDGE_PER_OP, seed: SEED + 10_000 + index });
  for (const template of edges) {
    let c = template;
    if (method !== 'GET' && template.kind === 'baseline') c = { ...template, req: (await context()).baseline };
    const req = keyed(c);
    const res = await send(t, req, await sessionCredentials(w, op.key, admin));
    counts.edge++;
    for (const f of check(op, c, res)) findings.push(`${op.key} [${c.kind}] ${f}\n      sent: ${describeReq(req)}\n      got: ${res.status} ${(res.text ?? '').slice(0, 200)}`);
  }
}

describe('schema-driven fuzzing', () => {
  it('never answers 5xx, answers errors as problem+json with documented statuses, and refuses invalid input without changing anything', async () => {
    const started = Date.now();
    for (const [index, op] of ops.entries()) await fuzz(op, index);
    const sent = counts.invalid + counts.edge;
    if (({} as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).isAdmin !== undefined) findings.push('Object.prototype was polluted');
    console.log(
      `fuzz: ${ops.length} operations, ${sent} requests (${counts.invalid} invalid, ${counts.edge} valid or edge), ` +
        `${findings.length} findings, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, findings.join('\n'));
    if (findings.length) console.log(`fuzz findings (first 60 of ${findings.length}):\n${findings.slice(0, 60).join('\n')}`);
    expect(findings.slice(0, 60)).toEqual([]);
  }, STRESS ? 3_600_000 : 240_000);

  it('documents no response that could carry a password or a key hash', () => {
    // The one secret an answer may hold: a new API key, once, in CreatedApiKeyResponse.key.
    const found: string[] = [];
    const walk = (schema: Schema | undefined, at: string, seen: Set<string>) => {
      if (!schema) return;
      if (schema.$ref) {
        if (seen.has(schema.$ref)) return;
        return walk(doc.components.schemas[schema.$ref.split('/').pop()!], `${at}<${schema.$ref.split('/').pop()}>`, new Set([...seen, schema.$ref]));
      }
      for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(part, at, seen);
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        if (/password|secret|hash$/i.test(name) && !/^headHash$|^hash$|checksum/i.test(name)) found.push(`${at}.${name}`);
        walk(prop, `${at}.${name}`, seen);
      }
      walk(schema.items, `${at}[]`, seen);
    };
    for (const op of ops) for (const [status, r] of op.responses) walk(r.schema, `${op.key} ${status}`, new Set());
    expect(found).toEqual([]);
  });

  it('answers 405 with an Allow header for a method a known path does not serve', async () => {
    const problems: string[] = [];
    const paths = new Map<string, Operation[]>();
    for (const op of ops) paths.set(op.path, [...(paths.get(op.path) ?? []), op]);
    const matcher = templateOf;
    for (const [template, served] of paths) {
      const sample = await recipe(w, served[0].method as Method, template, () => ({}));
      const path = sample.path;
      // A concrete path can match several templates (`/devices/import` is also `/devices/{id}`).
      const documented = [...new Set(ops.filter((o) => matcher(o.path).test(path)).map((o) => o.method))];
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as Method[]) {
        if (documented.includes(method)) continue;
        const res = await send(t, { method, path, body: method === 'GET' ? undefined : {} }, admin);
        counts.methods++;
        const allow = (res.headers.allow ?? '').split(/,\s*/).filter(Boolean).sort();
        const expected = [...documented, ...(documented.includes('GET') ? ['HEAD'] : [])].sort();
        if (res.status !== 405) problems.push(`${method} ${template}: ${res.status}, expected 405`);
        else if (!isProblem(res) || res.body.status !== 405) problems.push(`${method} ${template}: a 405 that is not a problem`);
        else if (JSON.stringify(allow) !== JSON.stringify(expected)) problems.push(`${method} ${template}: Allow ${allow.join(', ')}, expected ${expected.join(', ')}`);
      }
    }
    console.log(`fuzz, undocumented methods: ${paths.size} paths, ${counts.methods} requests, ${problems.length} findings`);
    expect(problems).toEqual([]);
  });
});
