import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestApp } from '../helpers/test-app.js';
import { exampleOf, type OpenApiDocument, operations } from '../security/openapi-doc.js';
import { credentials, type Method, recipe, send, startDocumentedWorld, type World } from '../security/world.js';

// Every GET and PATCH of a versioned record sends its version as the ETag (docs/api.md said so,
// but only schools did), and the document says which ones do.
let t: TestApp;
let doc: OpenApiDocument;
let w: World;

beforeAll(async () => ({ t, doc, w } = await startDocumentedWorld()), 120_000);
afterAll(() => t?.close());

type Responses = Record<string, { headers?: Record<string, unknown> }>;
const withEtag = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { responses?: Responses }>)
      .filter(([, op]) => Object.entries(op.responses ?? {}).some(([status, r]) => status.startsWith('2') && r.headers?.ETag))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );

describe('ETag', () => {
  it('is documented on the GET and PATCH of every versioned record', () => {
    const documented = withEtag();
    for (const resource of ['schools', 'users', 'device-models', 'devices', 'students', 'programs']) {
      expect(documented).toEqual(expect.arrayContaining([`GET /api/v1/${resource}/{id}`, `PATCH /api/v1/${resource}/{id}`]));
    }
    expect(documented).toEqual(expect.arrayContaining(['GET /api/v1/procurement-batches/{id}', 'GET /api/v1/loans/{id}']));
  });

  it('is sent by every operation that documents it, as the strong ETag of the answer\'s version, and If-Match takes it back', async () => {
    const ops = operations(doc).filter((op) => withEtag().includes(op.key));
    expect(ops.length).toBeGreaterThanOrEqual(14);
    const missing: string[] = [];
    for (const op of ops) {
      const req = await recipe(w, op.method as Method, op.path, () => exampleOf(doc, op.body?.content?.['application/json']?.schema));
      const res = await send(t, req, credentials(w, 'program_admin'));
      expect([op.key, res.status]).toEqual([op.key, 200]);
      if (res.headers.etag !== `"${res.body.version}"`) missing.push(`${op.key}: ETag ${res.headers.etag}, version ${res.body.version}`);
    }
    expect(missing).toEqual([]);

    // The round trip a client makes: read, then update with the ETag it got; a stale one is 409.
    const read = await t.http().get(`/api/v1/students/${w.a.studentId}`).set('authorization', w.admin.auth);
    const updated = await t.http().patch(`/api/v1/students/${w.a.studentId}`).set('authorization', w.admin.auth).set('if-match', read.headers.etag).send({ className: read.body.className === '9C' ? '9D' : '9C' });
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe(`"${read.body.version + 1}"`);
    const stale = await t.http().patch(`/api/v1/students/${w.a.studentId}`).set('authorization', w.admin.auth).set('if-match', read.headers.etag).send({ className: '9E' });
    expect(stale.status).toBe(409);
  });

  it('is not sent on lists', async () => {
    const res = await t.http().get('/api/v1/students').set('authorization', w.admin.auth);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
  });
});
