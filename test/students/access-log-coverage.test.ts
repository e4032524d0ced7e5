import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StudentAccessLog } from '../../src/students/privacy/student-access-log.js';
import type { TestApp } from '../helpers/test-app.js';
import { type OpenApiDocument, operations, type Schema } from '../security/openapi-doc.js';
import { credentials, recipe, send, startDocumentedWorld, type World } from '../security/world.js';

/**
 * docs/privacy.md promises that every read of a student's personal data is logged. This finds the
 * reads from the document itself: every GET whose answer schema carries a personal field, at any
 * depth, and checks that calling it writes an access-log row with its request id. A new read of
 * personal data that forgets to log fails here without anyone listing it.
 */
const PERSONAL_FIELDS = new Set(['fullName', 'nisn', 'dateOfBirth', 'guardianName', 'guardianPhone', 'guardianConsent', 'familyCardNumber', 'studentName', 'recipient']);

let t: TestApp;
let doc: OpenApiDocument;
let w: World;

beforeAll(async () => ({ t, doc, w } = await startDocumentedWorld()), 120_000);
afterAll(() => t?.close());

function personalFields(schema: Schema | undefined, seen = new Set<string>()): string[] {
  if (!schema) return [];
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    if (seen.has(name)) return [];
    return personalFields(doc.components.schemas[name], new Set([...seen, name]));
  }
  const parts = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].flatMap((s) => personalFields(s, seen));
  const items = schema.items ? personalFields(schema.items as Schema, seen) : [];
  const own = Object.entries(schema.properties ?? {}).flatMap(([name, prop]) => [...(PERSONAL_FIELDS.has(name) ? [name] : []), ...personalFields(prop as Schema, seen)]);
  return [...parts, ...items, ...own];
}

/** True when an answer actually shows someone's personal data (a list may be empty here). */
function showsPersonalData(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(showsPersonalData);
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, v]) => (PERSONAL_FIELDS.has(key) && v !== null && v !== undefined) || showsPersonalData(v));
}

describe('the student access log', () => {
  it('gets a row for every read whose documented answer carries personal data', async () => {
    const reads = operations(doc).filter((op) => op.method === 'GET' && [...op.responses].some(([status, r]) => status < 300 && personalFields(r.schema).length > 0));
    // The ones the attack found unlogged are among them.
    expect(reads.map((op) => op.key)).toEqual(
      expect.arrayContaining(['GET /api/v1/loans', 'GET /api/v1/loans/{id}', 'GET /api/v1/notifications', 'GET /api/v1/programs/{programId}/duplicate-beneficiaries', 'GET /api/v1/students/{id}']),
    );
    const unlogged: string[] = [];
    const exercised: string[] = [];
    for (const [i, op] of reads.entries()) {
      const req = await recipe(w, 'GET', op.path, () => undefined);
      const requestId = `access-log-coverage-${i}-${Date.now()}`;
      const res = await send(t, { ...req, headers: { ...req.headers, 'x-request-id': requestId } }, credentials(w, 'program_admin'));
      expect([op.key, res.status]).toEqual([op.key, 200]);
      if (!showsPersonalData(res.body)) continue; // nothing shown, nothing to log (an empty worklist here)
      exercised.push(op.key);
      await t.app.get(StudentAccessLog).flush();
      const { rows } = await t.db.query(`SELECT operation FROM student_access_log WHERE request_id = $1`, [requestId]);
      if (rows.length === 0) unlogged.push(op.key);
    }
    expect(unlogged).toEqual([]);
    expect(exercised).toEqual(
      expect.arrayContaining(['GET /api/v1/loans', 'GET /api/v1/loans/{id}', 'GET /api/v1/notifications', 'GET /api/v1/programs/{programId}/duplicate-beneficiaries', 'GET /api/v1/students', 'GET /api/v1/students/{id}']),
    );
    console.info(`access log coverage: ${reads.length} reads carry personal fields in the document; ${exercised.length} showed some here, all logged`);
  });

  it('logs the loans CSV export too, one row per loan in it', async () => {
    const requestId = `access-log-csv-${Date.now()}`;
    const res = await t.http().get('/api/v1/loans').query({ format: 'csv', limit: '500' }).set('authorization', w.admin.auth).set('x-request-id', requestId);
    expect(res.status).toBe(200);
    await t.app.get(StudentAccessLog).flush();
    const { rows } = await t.db.query(`SELECT operation, count(*)::int AS n FROM student_access_log WHERE request_id = $1 GROUP BY 1`, [requestId]);
    const loans = res.text.trim().split('\n').length - 1;
    expect(loans).toBeGreaterThan(0);
    expect(rows).toEqual([{ operation: 'loan.csv', n: loans }]);
  });
});
