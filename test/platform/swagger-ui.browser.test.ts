import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, FLAGS } from '../browser/console-browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// What a developer sees at /docs: Swagger UI loads under the app's Content-Security-Policy and
// lists every operation. Needs Debian's chromium (`apt-get install -y chromium`).
const SCREENSHOT = join(tmpdir(), 'swagger.png');

let t: TestApp;
let base: string;
let profile: string;
let context: BrowserContext;
let page: Page;
let operationCount: number;
const cspViolations: string[] = [];
const pageErrors: string[] = [];
const failedRequests: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ SWAGGER_ENABLED: 'true' });
  await t.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;

  const doc = (await (await fetch(`${base}/docs-json`)).json()) as { paths: Record<string, object> };
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  operationCount = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((k) => methods.includes(k)).length, 0);

  profile = mkdtempSync(join(tmpdir(), 'laptop-loans-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  // Record every CSP violation the page reports, before any of its scripts run.
  await page.exposeFunction('__reportCsp', (v: string) => cspViolations.push(v));
  // (A string, because this file is type-checked without the DOM library.)
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) =>
    window.__reportCsp(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')'))`);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  // Only the app's own assets matter; Swagger UI may try external hosts, which are offline here.
  page.on('requestfailed', (request) => {
    if (request.url().startsWith(base)) failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.url().startsWith(base) && response.status() >= 400) failedRequests.push(`${response.url()}: ${response.status()}`);
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await t?.close();
});

describe('Swagger UI at /docs', () => {
  it('renders every operation under the CSP, with no errors', async () => {
    const response = await page.goto(`${base}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBeTruthy();

    try {
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 15_000 });
      await page.locator('.opblock').nth(operationCount - 1).waitFor({ timeout: 15_000 });
    } catch (error) {
      // Say why: a blocked script (CSP in src/app.ts) is the usual cause.
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
      throw new Error(
        `Swagger UI did not list ${operationCount} operations (${(error as Error).message.split('\n')[0]}). ` +
          `CSP violations: ${JSON.stringify(cspViolations)}; page errors: ${JSON.stringify(pageErrors)}; failed requests: ${JSON.stringify(failedRequests)}; screenshot: ${SCREENSHOT}`,
      );
    }
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await expect(page.locator('.swagger-ui .info .title').textContent()).resolves.toContain('Laptop loan program API');
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(operationCount);
    const paths = await page.locator('.opblock .opblock-summary-path').allTextContents();
    const listed = paths.map((p) => p.replace(/\u200b/g, '').trim());
    expect(listed).toEqual(expect.arrayContaining(['/api/v1/schools', '/api/v1/auth/login', '/api/v1/audit-events']));
    await expect(page.locator('.opblock-post .opblock-summary-path', { hasText: '/api/v1/auth/login' }).count()).resolves.toBe(1);

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });

  it('fills a fresh Idempotency-Key in "Try it out", and sends one with every POST', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const issue = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/loans$/ }) });
    await issue.locator('.opblock-summary').click();
    await issue.locator('button.try-out__btn').click();
    const field = issue.locator('tr[data-param-name="Idempotency-Key"] input');
    const filled = await field.inputValue();
    expect(filled).toMatch(uuid);

    // Another operation gets another key; an Execute sends the field's key.
    const school = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/schools$/ }) });
    await school.locator('.opblock-summary').click();
    await school.locator('button.try-out__btn').click();
    const other = await school.locator('tr[data-param-name="Idempotency-Key"] input').inputValue();
    expect(other).toMatch(uuid);
    expect(other).not.toBe(filled);
    const sent = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/schools'));
    await school.locator('button.execute').click();
    expect((await sent).headers()['idempotency-key']).toBe(other);

    // A POST whose field was cleared still goes out with a fresh key (the request interceptor).
    await school.locator('tr[data-param-name="Idempotency-Key"] input').fill('');
    const again = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/schools'));
    await school.locator('button.execute').click();
    const key = (await again).headers()['idempotency-key'];
    expect(key).toMatch(uuid);
    expect(key).not.toBe(other);
    expect(pageErrors).toEqual([]);
  });
});
