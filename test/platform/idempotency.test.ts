import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../helpers/test-app.js';
import { type OpenApiDocument, operations } from '../security/openapi-doc.js';
import { credentials, recipe, send, startDocumentedWorld, type World } from '../security/world.js';

// Every state-changing POST takes an Idempotency-Key (DESIGN.md), and a request with a secret
// field is fingerprinted with it, so the same key with another password is a 422.
let t: TestApp;
let doc: OpenApiDocument;
let w: World;

beforeAll(async () => ({ t, doc, w } = await startDocumentedWorld()), 120_000);
afterAll(() => t?.close());

/** POSTs that change nothing (a preview) or need no key (logging in and out, whose retries are harmless by nature). */
const NOT_STATE_CHANGING = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'POST /api/v1/programs/eligibility-preview']);

describe('Idempotency-Key', () => {
  it('is documented on every state-changing POST', () => {
    const missing = operations(doc)
      .filter((op) => op.method === 'POST' && !NOT_STATE_CHANGING.has(op.key))
      .filter((op) => !op.parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'))
      .map((op) => op.key);
    expect(missing).toEqual([]);
  });

  it.each([
    'POST /api/v1/charges/{id}/pay',
    'POST /api/v1/charges/{id}/waive',
    'POST /api/v1/programs/{programId}/applications/{id}/withdraw',
    'POST /api/v1/api-keys/{id}/revoke',
    'POST /api/v1/students/anonymise-departed',
  ])('%s: a retry with the same key replays the first answer (not a 409), once in the audit log; the key on another record is a 422', async (key) => {
    const [, path] = key.split(' ');
    const req = await recipe(w, 'POST', path, () => ({}));
    const idem = { 'idempotency-key': randomUUID() };
    const headers = { ...credentials(w, 'program_admin'), ...idem };
    const eventsBefore = (await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n;
    const first = await send(t, req, headers);
    expect(first.status).toBe(200);
    const eventsAfterFirst = (await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n;
    const retry = await send(t, req, headers);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n).toBe(eventsAfterFirst);
    expect(eventsAfterFirst).toBeGreaterThanOrEqual(eventsBefore);
    // The same key on another record (the path is part of the fingerprint) is a 422.
    const onAnother = req.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}(?=\/[a-z-]+$)/, randomUUID());
    if (onAnother !== req.path) {
      const other = await send(t, { ...req, path: onAnother }, headers);
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('idempotency_key_reused');
    }
  });

  it('fingerprints a password with a keyed hash: the same key with another password is a 422, with the same one a replay', async () => {
    const idem = { ...credentials(w, 'program_admin'), 'idempotency-key': randomUUID() };
    const body = { email: `idem.${Date.now()}@test.local`, name: 'Idem User', password: 'kopi tubruk di pasar petisah', role: 'auditor' };
    const first = await send(t, { method: 'POST', path: '/api/v1/users', body }, idem);
    expect(first.status).toBe(201);
    const replay = await send(t, { method: 'POST', path: '/api/v1/users', body }, idem);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const otherPassword = await send(t, { method: 'POST', path: '/api/v1/users', body: { ...body, password: 'teh manis di warung sudut kota' } }, idem);
    expect(otherPassword.status).toBe(422);
    expect(otherPassword.body.code).toBe('idempotency_key_reused');
    // What is stored is a keyed hash of the request, never the password or its plain hash.
    const { rows } = await t.db.query(`SELECT fingerprint::text AS f, response_body FROM idempotency_records WHERE key = $1`, [idem['idempotency-key']]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('kopi tubruk');
  });
});
