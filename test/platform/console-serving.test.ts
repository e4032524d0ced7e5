import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { CONSOLE_DIR } from '../../src/console/console.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The web console at `/` (built by `npm run build` into dist/web, which `npm test` runs first):
// files cached by their hashed names, index.html for the console's own paths, and nothing
// shadowing the API, Swagger, health or metrics.
let t: TestApp;
let http: () => ReturnType<typeof request>;
const script = () => readdirSync(join(CONSOLE_DIR, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;

beforeAll(async () => {
  expect(existsSync(join(CONSOLE_DIR, 'index.html'))).toBe(true);
  t = await startTestApp({ SWAGGER_ENABLED: 'true' });
  http = () => request(t.app.getHttpServer());
});
afterAll(() => t?.close());

describe('the console served at /', () => {
  it.each(['/', '/desk', '/returns', '/worklists/overdue', '/some/deep/link?x=1'])('GET %s answers the console page, not cached', async (path) => {
    const res = await http().get(path).set('accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<div id="root">');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-src 'self' blob:");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('serves the hashed files for a year, compressed when the browser accepts it', async () => {
    const name = script();
    const plain = await http().get(`/assets/${name}`).set('accept-encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const br = await http().get(`/assets/${name}`).set('accept-encoding', 'br, gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(Number(br.headers['content-length'] ?? Infinity)).toBeLessThan(Number(plain.headers['content-length']));
  });

  it('a missing file is a 404 problem, not the console page', async () => {
    const res = await http().get('/assets/nope-123.js');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('never shadows the API, Swagger, health or metrics', async () => {
    const api = await http().get('/api/v1/no-such-thing').set('accept', 'text/html');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    const apiRoot = await http().get('/api').set('accept', 'text/html');
    expect(apiRoot.headers['content-type']).toMatch(/^application\/problem\+json/);
    const schools = await http().get('/api/v1/schools');
    expect(schools.status).toBe(401);
    expect((await http().get('/docs')).text).toMatch(/swagger/i);
    expect((await http().get('/docs-json')).body.openapi).toMatch(/^3\./);
    expect((await http().get('/health/live')).body).toEqual(expect.objectContaining({ status: 'ok' }));
    const unknownHealth = await http().get('/health/nope').set('accept', 'text/html');
    expect(unknownHealth.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await http().get('/metrics')).text).toContain('# HELP');
  });

  it('answers only GET and HEAD with the page', async () => {
    expect((await http().head('/desk')).status).toBe(200);
    const post = await http().post('/desk').send({});
    expect(post.status).toBe(404);
    expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
