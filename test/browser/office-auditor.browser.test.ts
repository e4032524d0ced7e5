import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditSealer } from '../../src/audit/audit-sealer.js';
import { seedScenario, type Scenario } from '../reports/report-scenario.js';
import { launchBrowser, screenshot, seriousViolations, signIn, startConsoleServer, VIEWPORTS, type Browser, type ConsoleServer } from './console-browser.js';
import { number, percent, tableRows, unzipTo, watchWrites } from './office-helpers.js';

// An auditor's morning in the console: the dashboards (every figure checked against the API's
// reports to the unit), a drill-down to the school with the lowest coverage and its overdue
// loans, the audit chain's state, and the evidence pack downloaded and checked offline. The
// auditor can change nothing from any page.
let server: ConsoleServer;
let browser: Browser;
let s: Scenario;
let writes: string[];

beforeAll(async () => {
  server = await startConsoleServer();
  s = await seedScenario(server.t);
  browser = await launchBrowser(VIEWPORTS.tablet);
  writes = watchWrites(browser.page);
  await signIn(browser.page, server.base, s.cast.auditor.email, s.cast.auditor.password);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The API's answer, as the auditor would get it. */
async function report<T = any>(path: string, query: Record<string, string> = {}): Promise<T> {
  const res = await server.t.http().get(`/api/v1/${path}`).query(query).set('authorization', s.cast.auditor.auth);
  expect(res.status).toBe(200);
  return res.body as T;
}

describe("an auditor's morning", () => {
  it('lands on the dashboards; every figure equals the API reports to the unit', async () => {
    const { page } = browser;
    await page.waitForURL(/\/dashboards/);
    await page.getByRole('search', { name: 'Saring laporan' }).getByLabel('Program').selectOption(s.program.id);
    await page.waitForURL(new RegExp(`program=${s.program.id}`));

    const coverage = await report('reports/coverage', { programId: s.program.id });
    const tiles = page.getByRole('group', { name: 'Cakupan keseluruhan' });
    await expect(tiles.locator('[data-figure="eligible"]').textContent().then(number)).resolves.toBe(coverage.totals.all.eligible);
    expect(number(await tiles.locator('[data-figure="served"]').textContent())).toBe(coverage.totals.all.served);
    expect(await tiles.locator('[data-figure="share"]').textContent()).toBe(percent(coverage.totals.all.shareServed));

    // Per school: the API's own totals for that school.
    const schools = await tableRows(page, 'Cakupan per sekolah', new Set(coverage.items.map((r: { schoolId: string }) => r.schoolId)).size);
    expect(schools.length).toBeGreaterThan(1);
    for (const [name, , eligible, served, share] of schools) {
      const id = coverage.items.find((r: { schoolName: string }) => r.schoolName === name).schoolId;
      const own = (await report('reports/coverage', { programId: s.program.id, schoolId: id })).totals.all;
      expect({ name, eligible: number(eligible), served: number(served), share }).toEqual({ name, eligible: own.eligible, served: own.served, share: percent(own.shareServed) });
    }
    // Lowest coverage first.
    const shares = schools.map((r) => (r[4] === '–' ? Infinity : Number(r[4].replace(/[^\d,]/g, '').replace(',', '.'))));
    expect(shares).toEqual([...shares].sort((a, b) => a - b));

    const overdue = await report('reports/overdue', { programId: s.program.id });
    const overdueRows = await tableRows(page, 'Umur keterlambatan pengembalian', overdue.schools.length);
    expect(overdueRows.map(([name, active, late, d7, d30, over, max]) => [name, ...[active, late, d7, d30, over, max].map(number)])).toEqual(
      overdue.schools.map((r: any) => [r.schoolName, r.activeLoans, r.overdueLoans, r.overdue1To7Days, r.overdue8To30Days, r.overdueOver30Days, r.maxDaysOverdue]),
    );

    const stock = await report('reports/stock-reconciliation');
    const batches = await tableRows(page, 'Rekonsiliasi stok per batch pengadaan', stock.batches.length);
    expect(batches.map((r) => [r[0], ...r.slice(1, 11).map(number)])).toEqual(
      stock.batches.map((b: any) => [b.contractRef, b.bought, b.total, b.difference, b.inStock, b.reserved, b.onLoan, b.inRepair, b.lost, b.stolen, b.retired]),
    );

    const losses = await report('reports/losses');
    const money = page.getByRole('group', { name: 'Tagihan keseluruhan' });
    for (const key of ['chargedAmount', 'paidAmount', 'waivedAmount', 'openAmount'] as const) {
      expect([key, number(await money.locator(`[data-figure="${key}"]`).textContent())]).toEqual([key, losses.totals[key]]);
    }
    expect(losses.totals.chargedAmount).toBeGreaterThan(0);
    const lossRows = await tableRows(page, 'Kehilangan dan tagihan', losses.items.length);
    expect(lossRows.map((r) => [r[0], r[1], ...r.slice(2).map(number)])).toEqual(
      losses.items.map((r: any) => [r.schoolName, r.month, r.lost, r.stolen, r.charges, r.chargedAmount, r.paidAmount, r.waivedAmount, r.openAmount]),
    );

    const activity = await report('reports/activity', { interval: 'week' });
    const activityTable = page.getByRole('table', { name: 'Aktivitas dari waktu ke waktu', exact: true });
    const foot = await activityTable.locator('tfoot td').allTextContents();
    expect(foot.map(number)).toEqual([activity.totals.issued, activity.totals.returned, activity.totals.lostOrStolen]);

    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'office-dashboards-tablet');
  });

  it('the CSV beside a chart and the summary PDF download', async () => {
    const { page } = browser;
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Unduh CSV Cakupan program' }).click()]);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.split('\n')[0]).toMatch(/schoolId|school/i);
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Unduh ringkasan (PDF)' }).click()]);
    expect(readFileSync((await pdf.path())!).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('filters by district: only that district’s schools', async () => {
    const { page } = browser;
    const district = s.schoolA.district;
    const filters = page.getByRole('search', { name: 'Saring laporan' });
    await filters.getByLabel('Kecamatan').selectOption(district);
    const rows = await tableRows(page, 'Cakupan per sekolah');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[1] === district)).toBe(true);
    await filters.getByLabel('Kecamatan').selectOption('');
  });

  it('drills down to the school with the lowest coverage and its overdue loans', async () => {
    const { page } = browser;
    const [lowest] = await tableRows(page, 'Cakupan per sekolah');
    await page.getByRole('table', { name: 'Cakupan per sekolah', exact: true }).getByRole('link', { name: lowest[0] }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(lowest[0]) }).waitFor();
    const schoolId = page.url().match(/schools\/([0-9a-f-]{36})/)![1];
    const overdue = await report('reports/overdue', { programId: s.program.id, schoolId });
    expect(overdue.loans.length).toBeGreaterThan(0);
    const loans = await tableRows(page, 'Pinjaman terlambat di sekolah ini', overdue.loans.length);
    expect(loans.map((r) => [r[0], r[1], r[2], number(r[4])])).toEqual(
      overdue.loans.map((l: any) => [l.agreementNumber, l.assetTag, l.dueDate, l.daysOverdue]),
    );
    const own = (await report('reports/coverage', { programId: s.program.id, schoolId })).totals.all;
    expect(number(await page.locator('[data-figure="eligible"]').textContent())).toBe(own.eligible);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'office-school-drilldown');
  });

  it('the audit chain: the last sealed block, verified intact', async () => {
    const { page } = browser;
    await server.t.app.get(AuditSealer).sealPending();
    await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByText('Rantai utuh').waitFor();
    const verify = await report('audit-events/verify');
    expect(verify.valid).toBe(true);
    expect(verify.blocksChecked).toBeGreaterThan(0);
    await expect(page.getByText(`#${verify.blocksChecked}`, { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByText(verify.headHash, { exact: true }).count()).resolves.toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'office-audit-chain');

    await page.getByRole('link', { name: 'Cari peristiwa' }).click();
    await page.getByLabel('Tindakan').fill('loan.issued');
    await page.getByRole('button', { name: 'Cari' }).click();
    await page.locator('tbody tr code', { hasText: 'loan.issued' }).first().waitFor();
    const shown = await page.locator('tbody tr').count();
    const api = await report('audit-events', { action: 'loan.issued', limit: '50' });
    expect(shown).toBe(api.items.length);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Log akses data siswa' }).click();
    // Who read this student's data: the auditor's own look-up is one of the reads.
    const [student] = (await server.t.db.query(`SELECT nisn, full_name FROM students WHERE school_id = $1 ORDER BY nisn LIMIT 1`, [s.schoolA.id])).rows;
    const whoRead = page.getByRole('form', { name: 'Siapa yang membaca data siswa ini?' });
    await whoRead.getByLabel('NISN siswa').fill(student.nisn);
    await whoRead.getByRole('button', { name: 'Cari' }).click();
    await page.getByRole('heading', { name: `Yang membaca data ${student.full_name} (NISN ${student.nisn})` }).waitFor();
    // Asked again: the first look-up's own read is in the log now (it is written before the answer).
    await page.reload();
    await whoRead.getByLabel('NISN siswa').fill(student.nisn);
    await whoRead.getByRole('button', { name: 'Cari' }).click();
    await page.getByRole('heading', { name: `Yang membaca data ${student.full_name} (NISN ${student.nisn})` }).waitFor();
    const readers = await tableRows(page, `Yang membaca data ${student.full_name} (NISN ${student.nisn})`);
    expect(readers.length).toBeGreaterThan(0);
    const [studentRow] = (await server.t.db.query(`SELECT id FROM students WHERE nisn = $1`, [student.nisn])).rows;
    const log = await report('student-access-log', { studentId: studentRow.id, limit: '100' });
    // The page shows every read the API's log holds (written before each answer, so none is
    // missing or late), the auditor's among them.
    expect(readers.length).toBe(log.items.length);
    expect(log.items.some((e: { actorId: string }) => e.actorId === s.cast.auditor.id)).toBe(true);
    // What did this user read: the auditor, picked from the list.
    await page.reload();
    const whatRead = page.getByRole('form', { name: 'Apa yang dibaca pengguna ini?' });
    await whatRead.locator(`option[value="${s.cast.auditor.id}"]`).waitFor({ state: 'attached' });
    await whatRead.getByLabel('Pengguna').selectOption(s.cast.auditor.id);
    await whatRead.getByRole('button', { name: 'Cari' }).click();
    await page.getByRole('heading', { name: /Data siswa yang dibaca/ }).waitFor();
    const read = await tableRows(page, (await page.getByRole('heading', { name: /Data siswa yang dibaca/ }).textContent())!);
    const byAuditor = await report('student-access-log', { actorId: s.cast.auditor.id, limit: '100' });
    expect(read.length).toBeGreaterThan(0);
    expect(read.length).toBeLessThanOrEqual(byAuditor.items.length);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'office-access-log');
  });

  it('downloads the evidence pack; its MANIFEST checks with sha256sum and the chain with the repository script', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Paket bukti' }).click();
    await page.getByLabel('Program').selectOption(s.program.id);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'office-evidence');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Unduh paket bukti (ZIP)' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^evidence-pack-${s.program.code}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const folder = mkdtempSync(join(tmpdir(), 'office-evidence-'));
    const names = await unzipTo(readFileSync((await download.path())!), folder);
    expect(names).toContain('MANIFEST.sha256');
    const manifest = readFileSync(join(folder, 'MANIFEST.sha256'), 'utf8').trim().split('\n');
    expect(manifest.length).toBe(names.length - 1);
    const sums = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: folder, encoding: 'utf8' });
    expect({ status: sums.status, stderr: sums.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sums.stdout.trim().split('\n').every((l) => l.endsWith(': OK'))).toBe(true);
    const script = spawnSync(process.execPath, [join(process.cwd(), 'scripts', 'verify-evidence-pack.mjs'), folder], { encoding: 'utf8' });
    expect({ status: script.status, stderr: script.stderr }).toEqual({ status: 0, stderr: '' });
    expect(script.stdout).toMatch(/OK: the pack is intact/);
    rmSync(folder, { recursive: true, force: true });
  });

  it('can change nothing from any page: no write control, no write request, no administration', async () => {
    const { page } = browser;
    const pages = ['/dashboards', `/dashboards/schools/${s.schoolA.id}`, '/audit', '/audit/events', '/audit/access', '/evidence', '/worklists/overdue'];
    const writeWords = /simpan|buat|daftarkan|hapus|nonaktifkan|aktifkan|impor|cabut|jalankan|setel|tambah|terbitkan|kembalikan|alokasi/i;
    for (const path of pages) {
      await page.goto(server.base + path);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      const buttons = await page.getByRole('button').allTextContents();
      expect([path, buttons.filter((b) => writeWords.test(b))]).toEqual([path, []]);
      expect([path, await page.locator('input[type=file], textarea').count()]).toEqual([path, 0]);
    }
    await page.goto(server.base + '/admin/users');
    await page.getByRole('heading', { name: 'Halaman tidak ditemukan' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link').allTextContents()).not.toContain('Administrasi');
    expect(writes).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('reads well on a phone', async () => {
    const phone = await launchBrowser(VIEWPORTS.phone);
    try {
      await signIn(phone.page, server.base, s.cast.auditor.email, s.cast.auditor.password);
      await phone.page.goto(`${server.base}/dashboards?program=${s.program.id}`);
      await phone.page.getByRole('table', { name: 'Cakupan per sekolah', exact: true }).waitFor();
      expect(await seriousViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'office-dashboards-phone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
