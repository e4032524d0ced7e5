import { afterAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import pg from 'pg';
import { newSchool, newUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp | undefined;
// The test closes the app itself (that is what it is about); only the checking pool is left.
afterAll(() => t?.db.end());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('shutdown', () => {
  // Fails if a request arriving on a kept-alive connection after shutdown began got Fastify's own
  // plain-JSON 503 (return503OnClosing), or was served as usual, or if the request already in
  // flight was cut off instead of finishing.
  it('finishes the request in flight, and answers one arriving on the same connection afterwards with a problem+json 503 and Connection: close', async () => {
    t = await startTestApp();
    const admin = await newUser(t, 'program_admin');
    const school = await newSchool(t.db);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as { port: number };

    // The school's row is held by another session, so the update below stays in flight.
    const locker = new pg.Client({ connectionString: t.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [school.id]);

    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    const body = JSON.stringify({ name: 'SMP Negeri Tutup' });
    socket.write(
      `PATCH /api/v1/schools/${school.id} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${admin.auth}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await until(async () => {
      const { rows } = await t!.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return rows[0].n > 0;
    });

    const closed = t.app.close(); // what SIGTERM starts in main.ts
    await sleep(200);
    // Pipelined on the same connection, after shutdown began.
    socket.write(`GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await sleep(200);
    await locker.query('ROLLBACK');
    await locker.end();
    await closed;
    await socketClosed;

    const [first, second] = received.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(first).toContain('SMP Negeri Tutup');
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\ncontent-type: application\/problem\+json/i);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toContain('"status":503');
    const { rows } = await t.db.query(`SELECT name FROM schools WHERE id = $1`, [school.id]);
    expect(rows[0].name).toBe('SMP Negeri Tutup');
  });
});
