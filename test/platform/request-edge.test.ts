import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Authentication before the body, the body timeout and the connection bound, on a listening app
// over raw sockets (a trickling body cannot be sent through supertest).
const BODY_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 6;
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let port: number;

beforeAll(async () => {
  t = await startTestApp({ BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), MAX_CONNECTIONS: String(MAX_CONNECTIONS) });
  cast = await newCast(t);
  await t.app.listen(0, '127.0.0.1');
  port = (t.app.getHttpServer().address() as AddressInfo).port;
});
afterAll(() => t?.close());

function open(): Promise<Socket> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1', () => done(socket));
    socket.on('error', fail);
  });
}

/** Everything the server sends until it closes the socket (or `ms` pass). */
function readAll(socket: Socket, ms: number, firstAnswer = false): Promise<{ text: string; closed: boolean; at: number }> {
  const started = Date.now();
  return new Promise((done) => {
    let text = '';
    const timer = setTimeout(() => done({ text, closed: false, at: Date.now() - started }), ms);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (firstAnswer && text.includes('\r\n\r\n')) (clearTimeout(timer), done({ text, closed: false, at: Date.now() - started }));
    });
    socket.on('close', () => (clearTimeout(timer), done({ text, closed: true, at: Date.now() - started })));
    socket.on('error', () => undefined);
  });
}

describe('authentication before the body', () => {
  it.each([
    ['a wrong content type', 'application/xml', '<a/>'],
    ['a CSV upload', 'text/csv', 'asset_tag\nX\n'],
    ['malformed JSON', 'application/json', '{"a":'],
  ])('an unauthenticated upload with %s is a 401, not 415 or 400', async (_name, type, body) => {
    const res = await t.http().post('/api/v1/devices/import').set('content-type', type).send(body);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('an unauthenticated JSON write with a broken body is a 401 too; with credentials the same body is a 400', async () => {
    expect((await t.http().post('/api/v1/schools').set('content-type', 'application/json').send('{"npsn":')).status).toBe(401);
    expect((await t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).set('content-type', 'application/json').send('{"npsn":')).status).toBe(400);
  });

  it('a stranger announcing a 40 MB upload is answered 401 at once, before any of it is sent', async () => {
    const socket = await open();
    const answer = readAll(socket, 5000, true);
    socket.write(`POST /api/v1/students/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 40000000\r\n\r\n`);
    const { text, at } = await answer.then((r) => r);
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 401/);
    expect(at).toBeLessThan(4000);
  });

  it('public routes stay public (login, health)', async () => {
    expect((await t.http().post('/api/v1/auth/login').send({ email: cast.auditor.email, password: cast.auditor.password })).status).toBe(200);
    expect((await t.http().get('/health/live')).status).toBe(200);
  });
});

describe('a body that trickles in', () => {
  it(`is cut with a 408 after BODY_TIMEOUT_MS (${BODY_TIMEOUT_MS} ms here)`, async () => {
    const socket = await open();
    const answer = readAll(socket, 15_000);
    const body = JSON.stringify({ npsn: '12345678', name: 'Slow', level: 'SMP', district: 'X' });
    socket.write(`POST /api/v1/schools HTTP/1.1\r\nHost: x\r\nAuthorization: ${cast.admin.auth}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]);
    }, 1000);
    const { text, closed, at } = await answer;
    clearInterval(drip);
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toMatch(/application\/problem\+json/);
    expect(text).toContain('"code":"body_timeout"');
    expect(closed).toBe(true);
    expect(at).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
    // Generous above: what this bounds is "cut", not the timer's precision on a loaded machine.
    expect(at).toBeLessThan(BODY_TIMEOUT_MS + 3000);
    expect((await t.db.query(`SELECT 1 FROM schools WHERE name = 'Slow'`)).rowCount).toBe(0);
  }, 20_000);
});

describe('connections per process', () => {
  it(`are bounded by MAX_CONNECTIONS (${MAX_CONNECTIONS} here): the next one is closed unanswered, and a freed slot serves again`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open()));
    await new Promise((r) => setTimeout(r, 100));
    const extra = await open().catch(() => undefined);
    if (extra) {
      const answer = readAll(extra, 3000);
      extra.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      const { text, closed } = await answer;
      expect(text).toBe('');
      expect(closed).toBe(true);
    }
    held.pop()!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const next = await open();
    const answer = readAll(next, 3000);
    next.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await answer).text).toMatch(/^HTTP\/1\.1 200/);
    for (const socket of held) socket.destroy();
  });
});
