import type { Page, Request } from 'playwright-core';

/** What the education office's browser tests share: numbers as the page writes them, and a ZIP reader. */

/** An Indonesian count ("1.234") or amount ("Rp 1.250.000") as a number. */
export const number = (text: string | null) => Number((text ?? '').replace(/[^\d-]/g, ''));

/** A share the API answered, as the page writes it (Indonesian, one decimal). */
export const percent = (share: number | null) =>
  share === null ? '–' : new Intl.NumberFormat('id-ID', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share);

/**
 * The cells of a table's body rows, as text (the row header first), once it shows `expected`
 * rows (the figures arrive after the table's frame; "no data" is not a row).
 */
export async function tableRows(page: Page, name: string, expected?: number): Promise<string[][]> {
  const table = page.getByRole('table', { name, exact: true });
  await table.waitFor();
  const read = () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())).filter((r) => r.length > 1));
  const until = Date.now() + 15_000;
  let rows = await read();
  while ((expected === undefined ? rows.length === 0 : rows.length !== expected) && Date.now() < until) {
    await page.waitForTimeout(100);
    rows = await read();
  }
  return rows;
}

/** Every request the page sends that could change something (anything but GET/HEAD, sign-in aside). */
export function watchWrites(page: Page): string[] {
  const writes: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (!['GET', 'HEAD'].includes(request.method()) && url.pathname !== '/api/v1/auth/login') writes.push(`${request.method()} ${url.pathname}`);
  });
  return writes;
}

export { unzipTo } from '../helpers/zip.js';
