import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redactUrl } from '../../src/common/log-redaction.js';
import { createTestDatabase } from '../helpers/test-app.js';
import { loginAdmin, type ServiceProcess, startService } from '../reliability/service-process.js';

// The real service with its real logger (pino to stdout, every request logged at info).
let service: ServiceProcess;
let auth: string;

beforeAll(async () => {
  service = await startService(await createTestDatabase(), { LOG_LEVEL: 'info' });
  auth = await loginAdmin(service.baseUrl);
}, 60_000);
afterAll(() => service?.stop());

/** Waits until the service has logged the request with this id (pino writes asynchronously). */
async function logOf(requestId: string): Promise<string> {
  for (let i = 0; i < 100 && !service.output().includes(requestId); i++) await new Promise((r) => setTimeout(r, 50));
  const lines = service.output().split('\n').filter((line) => line.includes(requestId));
  expect(lines.length).toBeGreaterThan(0);
  return lines.join('\n');
}

describe('the request line', () => {
  it('says what was asked and how it ended: id, method, path, status, time, and no headers', async () => {
    const res = await fetch(`${service.baseUrl}/api/v1/schools?limit=2`, { headers: { authorization: auth, 'x-request-id': 'log-hygiene-line-1' } });
    expect(res.status).toBe(200);
    const line = JSON.parse((await logOf('log-hygiene-line-1')).split('\n').find((l) => l.includes('"res"'))!);
    expect(line).toMatchObject({ level: 30, req: { id: 'log-hygiene-line-1', method: 'GET', url: '/api/v1/schools?limit=2' }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(Object.keys(line.req).sort()).toEqual(['id', 'method', 'url']);
    expect(Object.keys(line.res)).toEqual(['statusCode']);
  });
});

describe('the request line of a refused request', () => {
  it('is a warning with the status it was answered', async () => {
    const res = await fetch(`${service.baseUrl}/api/v1/schools/not-a-uuid`, { headers: { authorization: auth, 'x-request-id': 'log-hygiene-refused-1' } });
    expect(res.status).toBe(400);
    const line = JSON.parse((await logOf('log-hygiene-refused-1')).split('\n').find((l) => l.includes('"res"'))!);
    expect(line).toMatchObject({ level: 40, msg: 'request completed', req: { id: 'log-hygiene-refused-1', method: 'GET' }, res: { statusCode: 400 } });
  });
});

describe('what the request log keeps out', () => {
  it('redacts credential-like query parameters and keeps the others', async () => {
    const path =
      '/api/v1/schools?limit=5&token=tok-SECRET-1&api_key=key-SECRET-2&Password=pw-SECRET-3&client_secret=cs-SECRET-4&X-Amz-Signature=sig-SECRET-5&access_token=at-SECRET-6';
    const res = await fetch(service.baseUrl + path, { headers: { authorization: auth, 'x-request-id': 'log-hygiene-query-1' } });
    expect(res.status).toBe(400); // unknown query parameters; what matters is the line it leaves
    const log = await logOf('log-hygiene-query-1');
    expect(log).not.toMatch(/SECRET/);
    expect(log).toContain('limit=5');
    expect(log).toContain('token=[REDACTED]');
  });

  it('logs a rejected CSV file without any of its cells (student data)', async () => {
    const csv = 'NISN,Nama,Tanggal Lahir,Rombel Saat Ini\n0012345678,Zulaikha "Ayu" Siregar,2013-05-17,8A\n';
    const schools = (await (await fetch(`${service.baseUrl}/api/v1/schools?limit=1`, { headers: { authorization: auth } })).json()) as { items: { id: string }[] };
    let schoolId = schools.items[0]?.id;
    if (!schoolId) {
      const created = await fetch(`${service.baseUrl}/api/v1/schools`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ npsn: '10293847', name: 'SMP Log', level: 'SMP', district: 'Medan Kota' }),
      });
      schoolId = ((await created.json()) as { id: string }).id;
    }
    const res = await fetch(`${service.baseUrl}/api/v1/students/import?schoolId=${schoolId}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'text/csv', 'idempotency-key': crypto.randomUUID(), 'x-request-id': 'log-hygiene-csv-1' },
      body: csv,
    });
    expect(res.status).toBe(400);
    const log = await logOf('log-hygiene-csv-1');
    expect(log).not.toMatch(/Zulaikha|Ayu|Siregar|0012345678/);
  });
});

describe('redactUrl', () => {
  it.each([
    ['/a?token=x', '/a?token=[REDACTED]'],
    ['/a?limit=5&cursor=abc', '/a?limit=5&cursor=abc'],
    ['/a?apiKey=x&b=2', '/a?apiKey=[REDACTED]&b=2'],
    ['/a?pass%77ord=x', '/a?pass%77ord=[REDACTED]'],
    ['/a?sig=x&signature=y', '/a?sig=[REDACTED]&signature=[REDACTED]'],
    ['/a?secret', '/a?secret'],
    ['/a', '/a'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
