import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * What the console's browser tests share: the service listening on a free port (the console
 * built by `npm run build`, which test:browser runs first), Debian's chromium driven by
 * playwright-core, an axe-core check, and screenshots for docs/console.md. A test drives the
 * page by role and label, as an operator would.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const VIEWPORTS = {
  laptop: { width: 1366, height: 820 },
  tablet: { width: 1024, height: 768 },
  phone: { width: 390, height: 844 },
} as const;
export const IMAGES = join(process.cwd(), 'docs/images');

export interface ConsoleServer {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const t = await startTestApp(env);
  await t.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  return { t, base, close: () => t.close() };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw, and its console errors: a test expects none. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium profile (so IndexedDB and storage start empty), Indonesian, at `viewport`. */
export async function launchBrowser(viewport: { width: number; height: number } = VIEWPORTS.tablet): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'laptop-loans-console-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    locale: 'id-ID',
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // Failed requests the test causes on purpose (offline) log "Failed to load resource"; the
    // API's own 4xx answers are expected too. Anything else is an error of the console's.
    if (message.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED|net::ERR/.test(message.text())) errors.push(message.text());
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the sign-in page and waits for the navigation to show. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Kata sandi').fill(password);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('navigation', { name: 'Menu utama' }).waitFor();
}

/** axe-core on the page as it is now: the serious and critical violations (a test expects none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A screenshot into docs/images/ (referenced from docs/console.md). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(IMAGES, { recursive: true });
  const path = join(IMAGES, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * A keyboard-wedge scanner: it types the code into the focused field and presses Enter. One
 * call is one operator action (one scan).
 */
export async function wedgeScan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 2 });
  await page.keyboard.press('Enter');
}

/** Whether the element has the keyboard focus (where a scanner's keystrokes go). */
export async function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement);
}
