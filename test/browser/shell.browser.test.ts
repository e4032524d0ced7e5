import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { newCast, type TestUser } from '../helpers/factories.js';
import { launchBrowser, seriousViolations, signIn, startConsoleServer, VIEWPORTS, type Browser, type ConsoleServer } from './console-browser.js';

// The console's shell: sign-in, role-aware navigation, language switch, the first screen's
// weight. Pages have their own browser tests.
let server: ConsoleServer;
let browser: Browser;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  server = await startConsoleServer();
  cast = await newCast(server.t);
  browser = await launchBrowser(VIEWPORTS.tablet);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const navLinks = async () => browser.page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link').allTextContents();

describe('the console shell', () => {
  it('loads at most 250 KB of gzipped JavaScript before sign-in', async () => {
    const scripts: Buffer[] = [];
    const seen = new Set<string>();
    const collect = async (response: import('playwright-core').Response) => {
      if (response.request().resourceType() === 'script' && !seen.has(response.url())) {
        seen.add(response.url());
        scripts.push(await response.body());
      }
    };
    browser.page.on('response', collect);
    await browser.page.goto(server.base + '/');
    await browser.page.getByRole('button', { name: 'Masuk' }).waitFor();
    await browser.page.waitForLoadState('networkidle');
    browser.page.off('response', collect);
    const gzipped = scripts.reduce((n, body) => n + gzipSync(body, { level: 9 }).length, 0);
    console.log(`initial JavaScript: ${scripts.length} files, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(250 * 1024);
    expect(await seriousViolations(browser.page)).toEqual([]);
  });

  it('a wrong password is told in Indonesian next to the form, never as JSON', async () => {
    const { page } = browser;
    await page.getByLabel('Email').fill(cast.operatorA.email);
    await page.getByLabel('Kata sandi').fill('not-the-password');
    await page.getByRole('button', { name: 'Masuk' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).not.toMatch(/[{}]|"code"|problem/);
    expect(text).toMatch(/sandi|salah|gagal/i);
  });

  it.each([
    ['school_admin', (c: typeof cast) => c.operatorA, ['Meja peminjaman', 'Pengembalian', 'Daftar kerja', 'Label aset', 'Persiapan']],
    ['auditor', (c: typeof cast) => c.auditor, ['Daftar kerja']],
  ] as const)('a %s sees the pages of their role', async (_role, who, pages) => {
    const user: TestUser = who(cast);
    await browser.page.evaluate('sessionStorage.clear()');
    await signIn(browser.page, server.base, user.email, user.password);
    expect(await navLinks()).toEqual(expect.arrayContaining([...pages]));
    if (user.role === 'auditor') expect(await navLinks()).not.toContain('Meja peminjaman');
    expect(await seriousViolations(browser.page)).toEqual([]);
    await browser.page.getByRole('button', { name: 'Keluar' }).click();
  });

  it('switches to English and back; the choice stays after a reload', async () => {
    const { page } = browser;
    await signIn(page, server.base, cast.operatorA.email, cast.operatorA.password);
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Issuing desk' }).waitFor();
    await page.reload();
    await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('Language').selectOption('id');
    await page.getByRole('navigation', { name: 'Menu utama' }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
