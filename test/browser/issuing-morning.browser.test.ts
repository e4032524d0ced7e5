import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newSchool, newUser, type SchoolRow, type TestUser } from '../helpers/factories.js';
import { hasFocus, launchBrowser, screenshot, seriousViolations, signIn, startConsoleServer, VIEWPORTS, wedgeScan, type Browser, type ConsoleServer } from './console-browser.js';

// A whole issuing morning through the console only, in Indonesian, at tablet size with a
// keyboard-wedge scanner (type + Enter): the devices' and students' files imported, every
// student registered and the allocation run; 20 students issued, each counted in operator
// actions; an issue whose answer the network loses, queued and replayed into exactly one loan;
// an expired session in the middle of an issue; 3 returns with charges; the worklists; label
// sheets. The education office's set-up before the morning (school, accounts, program, price
// list) is made through the API.
const STUDENTS = 22;
const DEVICES = 26;
const ISSUED = 20;
const nisn = (n: number) => `00991${String(n).padStart(5, '0')}`;
const tag = (n: number) => `MDN-LPT-2027-${String(n).padStart(4, '0')}`;

let server: ConsoleServer;
let school: SchoolRow;
let admin: TestUser;
let operator: TestUser;
let programId: string;
let officeBrowser: Browser;
let desk: Browser;
const files = mkdtempSync(join(tmpdir(), 'laptop-loans-morning-'));
const actionsPerIssue: number[] = [];

/** The page's print frame (web/src/components/print.ts), seen from the test (no DOM types here). */
type Doc = { getElementById(id: string): { src: string } | null };
// (Functions given to page.evaluate run in the page: they cannot call anything of this file.)
const frameSrc = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: Doc }).document.getElementById('print-frame')?.src ?? null);

/**
 * Waits until the page has fetched a PDF (`pdf`, the response awaited) and put it in its print
 * frame as a new blob: URL (differing from `before`).
 */
async function printed(page: Page, pdf: Promise<import('playwright-core').Response>, before: string | null): Promise<string> {
  const answer = await pdf;
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toBe('application/pdf');
  await page.waitForFunction((previous) => ((globalThis as unknown as { document: Doc }).document.getElementById('print-frame')?.src ?? null) !== previous, before);
  const src = (await frameSrc(page))!;
  expect(src).toMatch(/^blob:/);
  return src;
}
const pdfAnswer = (page: Page, name: string) => page.waitForResponse((r) => r.url().includes(name) && r.request().method() === 'GET');

async function call(path: string, body: unknown, method = 'POST') {
  const res = await fetch(server.base + path, { method, headers: { authorization: admin.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}

async function axe(page: Page, where: string) {
  expect({ where, violations: await seriousViolations(page) }).toEqual({ where, violations: [] });
}

/** The guardian signs on the screen: one stroke on the signature box. */
async function sign(page: Page) {
  const box = (await page.locator('canvas.signature').boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 18, box.y + box.height * (0.6 + 0.25 * Math.sin(i)));
  await page.mouse.up();
}

beforeAll(async () => {
  server = await startConsoleServer();
  const t = server.t;
  school = await newSchool(t.db, { name: 'SMP Negeri 7 Medan', npsn: '10299007', level: 'SMP' });
  admin = await newUser(t, 'program_admin');
  operator = await newUser(t, 'school_admin', school.id);
  const model = await call('/api/v1/device-models', { manufacturer: 'Axioo', model: 'MyBook 14E', category: 'laptop', specs: {} });
  await call('/api/v1/procurement-batches', { contractRef: 'SPK/027/DISDIK/2027', fundingSource: 'APBD Kota Medan 2027', receivedOn: '2027-06-15', unitCost: 6_250_000, quantity: DEVICES, modelId: model.id });
  const program = await call('/api/v1/programs', {
    code: 'LPTK', name: 'Laptop Pelajar 2027', startsOn: '2020-01-01', endsOn: '2099-12-31', loanDueDate: '2099-06-30', maxExtensions: 2,
    rules: { grades: { min: 7, max: 9 }, schoolLevels: ['SMP'], enrolmentRequired: true, maxOpenCharges: 0, priority: { socialAid: 50, perAid: { KIP: 20 }, perGrade: 2 } },
    termsText: 'Perangkat adalah barang milik daerah yang dipinjamkan kepada siswa untuk belajar. Orang tua/wali menjaga perangkat dan mengembalikannya dalam keadaan baik.',
  });
  programId = program.id;
  await call(`/api/v1/programs/${programId}/price-list`, { items: [
    { code: 'missing_charger', description: 'Pengisi daya tidak dikembalikan', amount: 250_000 },
    { code: 'missing_bag', description: 'Tas tidak dikembalikan', amount: 150_000 },
    { code: 'broken_screen', description: 'Layar pecah', amount: 1_200_000 },
    { code: 'keyboard_damage', description: 'Papan ketik rusak', amount: 400_000 },
    { code: 'replacement', description: 'Penggantian perangkat', amount: 6_250_000 },
  ] }, 'PUT');

  writeFileSync(join(files, 'perangkat.csv'), ['asset_tag,serial_number,contract_ref,school_npsn,condition,accessories',
    ...Array.from({ length: DEVICES }, (_, i) => `${tag(i + 1)},AXB14E2027${String(i + 1).padStart(4, '0')},SPK/027/DISDIK/2027,${school.npsn},new,charger;bag`)].join('\n'));
  const names = ['Adinda Putri', 'Bagas Surya', 'Citra Lestari', 'Dimas Saputra', 'Eka Rahmawati', 'Fajar Nugroho', 'Gita Permata', 'Hendra Wijaya', 'Indah Sari', 'Joko Susilo', 'Kartika Dewi',
    'Lukman Hakim', 'Maya Anggraini', 'Nanda Pratama', 'Oktavia Rahma', 'Putra Ramadhan', 'Qori Aulia', 'Rizky Maulana', 'Siti Nurhaliza', 'Taufik Hidayat', 'Umi Kalsum', 'Vino Bastian'];
  writeFileSync(join(files, 'dapodik.csv'), ['nisn,full_name,grade,class_name,date_of_birth,guardian_name,guardian_relation,guardian_phone,family_card_number,social_aid,enrolment_status',
    ...names.slice(0, STUDENTS).map((name, i) => `${nisn(i + 1)},${name},${7 + (i % 3)},${7 + (i % 3)}${'ABC'[i % 3]},2012-0${1 + (i % 9)}-1${i % 10},Ibu ${name.split(' ')[1]},mother,0812-7000-${String(1000 + i)},12710501091${String(10000 + i)},${i % 4 === 0 ? 'KIP' : ''},`)].join('\n'));

  officeBrowser = await launchBrowser(VIEWPORTS.laptop);
  desk = await launchBrowser(VIEWPORTS.tablet);
}, 120_000);

afterAll(async () => {
  await officeBrowser?.close();
  await desk?.close();
  await server?.close();
  rmSync(files, { recursive: true, force: true });
});

describe('an issuing morning through the console', () => {
  it('the program office imports the devices', async () => {
    const { page } = officeBrowser;
    await signIn(page, server.base, admin.email, admin.password);
    await page.getByRole('link', { name: 'Persiapan' }).click();
    await page.getByLabel('Sekolah').selectOption(school.id);
    const devices = page.locator('form', { has: page.getByRole('heading', { name: 'Impor perangkat' }) });
    await devices.getByLabel('File CSV').setInputFiles(join(files, 'perangkat.csv'));
    await devices.getByRole('button', { name: 'Impor' }).click();
    await expect(devices.getByRole('status').textContent()).resolves.toContain(`${DEVICES} perangkat didaftarkan`);
    await axe(page, 'setup (program admin)');
  });

  it('the operator imports the students and registers them; the office runs the allocation', async () => {
    const { page } = desk;
    await signIn(page, server.base, operator.email, operator.password);
    await page.getByRole('link', { name: 'Persiapan' }).click();
    const students = page.locator('form', { has: page.getByRole('heading', { name: 'Impor siswa (Dapodik)' }) });
    // A bad file first: the wrong row is listed in Indonesian, nothing is written.
    writeFileSync(join(files, 'salah.csv'), 'nisn,full_name,grade,class_name,date_of_birth\n12345,Tanpa NISN Benar,8,8A,2013-01-02\n');
    await students.getByLabel('File CSV').setInputFiles(join(files, 'salah.csv'));
    await students.getByRole('button', { name: 'Impor' }).click();
    await students.getByRole('alert').waitFor();
    expect(await students.locator('table').textContent()).toMatch(/10 digit/);
    await students.getByLabel('File CSV').setInputFiles(join(files, 'dapodik.csv'));
    await students.getByRole('button', { name: 'Impor' }).click();
    await expect(students.getByRole('status').textContent()).resolves.toContain(`${STUDENTS} siswa baru`);
    await page.getByRole('button', { name: 'Daftarkan semua siswa aktif' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'didaftarkan' }).textContent()).resolves.toContain(`${STUDENTS} siswa didaftarkan`);
    await axe(page, 'setup (operator)');

    const office = officeBrowser.page;
    await office.getByRole('button', { name: 'Jalankan alokasi untuk sekolah ini' }).click();
    await expect(office.getByRole('status').filter({ hasText: 'dicadangkan' }).textContent()).resolves.toContain(`${STUDENTS} perangkat dicadangkan`);
  });

  it(`issues ${ISSUED} laptops with a keyboard-wedge scanner, at most 6 operator actions each`, async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Meja peminjaman' }).click();
    const scanField = page.getByLabel('NISN atau nama siswa');
    await scanField.waitFor();
    await axe(page, 'desk (empty)');
    for (let i = 1; i <= ISSUED; i++) {
      let actions = 0;
      const act = async (step: () => Promise<void>) => {
        actions++;
        await step();
      };
      // The focus is on the NISN field when the desk is ready for the next student.
      await expect(hasFocus(scanField)).resolves.toBe(true);
      await act(() => wedgeScan(page, nisn(i))); // 1. scan the student card
      await page.getByText('Memenuhi syarat', { exact: true }).waitFor();
      const deviceField = page.getByLabel('Tag aset perangkat');
      await expect(hasFocus(deviceField)).resolves.toBe(true);
      await page.getByText(/Perangkat yang dicadangkan untuk siswa ini/).waitFor();
      if (i % 2) {
        await act(() => page.keyboard.press('Enter')); // 2. take the reserved device
      } else {
        const hint = await page.getByText(/Perangkat yang dicadangkan untuk siswa ini/).textContent();
        const reserved = /(MDN-LPT-2027-\d{4})/.exec(hint ?? '')![1];
        await act(() => wedgeScan(page, reserved.toLowerCase())); // 2. scan its label (any case)
      }
      await page.getByText('Dicadangkan · Baru').waitFor();
      if (i === 1) {
        // Every rule's reason is on the card, in Indonesian.
        const rules = await page.getByRole('list', { name: 'Syarat program' }).getByRole('listitem').allTextContents();
        expect(rules.length).toBeGreaterThanOrEqual(5);
        expect(rules.join(' ')).toMatch(/Kelas \d/);
        expect(await page.getByLabel('Nama wali').inputValue()).toBe('Ibu Putri');
        await axe(page, 'desk (student and device)');
      }
      await act(() => sign(page)); // 3. the guardian signs
      if (i === 1) await screenshot(page, 'desk', true);
      const issued = page.waitForResponse((r) => r.url().endsWith('/api/v1/loans') && r.request().method() === 'POST');
      const before = await frameSrc(page);
      const pdf = pdfAnswer(page, '/agreement.pdf');
      await act(() => page.keyboard.press('Enter')); // 4. issue (the focus stayed on the button)
      expect((await issued).status()).toBe(201);
      await page.getByRole('status').filter({ hasText: /Perjanjian .* diterbitkan/ }).waitFor();
      await printed(page, pdf, before); // the agreement went to the printer, the focus stayed on the desk
      actionsPerIssue.push(actions);
    }
    console.log(`operator actions per issue: ${actionsPerIssue.join(', ')}`);
    expect(Math.max(...actionsPerIssue)).toBeLessThanOrEqual(6);
    const { rows } = await server.t.db.query(`SELECT count(*)::int AS n FROM loans WHERE school_id = $1 AND status = 'active'`, [school.id]);
    expect(rows[0].n).toBe(ISSUED);
    const signatures = await server.t.db.query(`SELECT count(*)::int AS n FROM loan_signatures`);
    expect(signatures.rows[0].n).toBe(ISSUED);
  });

  it('an expired session asks for the password over the desk; what was typed stays', async () => {
    const { page } = desk;
    await wedgeScan(page, nisn(ISSUED + 1));
    await page.getByText('Memenuhi syarat', { exact: true }).waitFor();
    await page.getByText(/Perangkat yang dicadangkan/).waitFor();
    await page.keyboard.press('Enter');
    await page.getByText('Dicadangkan · Baru').waitFor();
    await sign(page);
    await page.route('**/api/v1/loans', (route) =>
      route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ type: 'urn:laptop-loans:problem:unauthenticated', title: 'Sesi berakhir', status: 401, code: 'token_invalid_or_expired', params: {}, detail: 'Token tidak valid atau kedaluwarsa' }) }),
      { times: 1 },
    );
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Sesi berakhir' });
    await dialog.waitFor();
    await axe(page, 'sign-in dialog');
    await dialog.getByLabel('Email').fill(operator.email);
    await dialog.getByLabel('Kata sandi').fill(operator.password);
    await dialog.getByRole('button', { name: 'Masuk' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The desk kept the student, the device and the signature: one more press issues.
    expect(await page.getByLabel('NISN atau nama siswa').inputValue()).toBe(nisn(ISSUED + 1));
    expect(await page.getByLabel('Tag aset perangkat').inputValue()).toMatch(/^MDN-LPT-2027-/); // (filled in when the device was taken)
    const issued = page.waitForResponse((r) => r.url().endsWith('/api/v1/loans') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Terbitkan dan cetak perjanjian' }).click();
    expect((await issued).status()).toBe(201);
    await page.getByRole('status').filter({ hasText: /diterbitkan/ }).waitFor();
    await expect(hasFocus(page.getByLabel('NISN atau nama siswa'))).resolves.toBe(true);
  });

  it('the network drops after the issue reached the server: queued, replayed, one loan', async () => {
    const { page, context } = desk;
    const student = nisn(ISSUED + 2);
    await page.getByLabel('NISN atau nama siswa').focus();
    await wedgeScan(page, student);
    await page.getByText('Memenuhi syarat', { exact: true }).waitFor();
    await page.getByText(/Perangkat yang dicadangkan/).waitFor();
    await page.keyboard.press('Enter');
    await page.getByText('Dicadangkan · Baru').waitFor();
    await sign(page);
    // The request goes through and the loan is made; its answer is lost on the way back.
    let key = '';
    await page.route('**/api/v1/loans', async (route) => {
      key = route.request().headers()['idempotency-key'];
      const answer = await route.fetch();
      expect(answer.status()).toBe(201);
      await context.setOffline(true);
      await route.abort('internetdisconnected');
    }, { times: 1 });
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: /antrean/ }).first().waitFor();
    await expect(page.getByText('1 tindakan menunggu jaringan').isVisible()).resolves.toBe(true);
    await screenshot(page, 'desk-queued');
    await axe(page, 'desk (queued)');
    // Still offline: the queue survives a reload (IndexedDB).
    const loansOf = async () => (await server.t.db.query(`SELECT l.id FROM loans l JOIN students s ON s.id = l.student_id WHERE s.nisn = $1`, [student])).rows;
    expect(await loansOf()).toHaveLength(1);
    // The operator leaves the desk and a colleague signs in on it once the network is back: the
    // queued issue is theirs to send, not the colleague's (the API keys idempotency per caller,
    // and the audit trail must name who served the student), so it waits, marked as such.
    await page.getByRole('button', { name: 'Keluar' }).click();
    await context.setOffline(false);
    const colleague = await newUser(server.t, 'school_admin', school.id);
    const posts: string[] = [];
    const countPosts = (r: import('playwright-core').Request) => { if (r.url().endsWith('/api/v1/loans') && r.method() === 'POST') posts.push(r.headers()['idempotency-key']); };
    page.on('request', countPosts);
    await signIn(page, server.base, colleague.email, colleague.password);
    await page.getByText('Menunggu operator yang mengantrekannya masuk kembali').waitFor();
    await page.getByRole('button', { name: 'Kirim sekarang' }).waitFor({ state: 'detached' });
    expect(posts).toEqual([]);
    await page.getByRole('button', { name: 'Keluar' }).click();
    page.off('request', countPosts);
    // Back as the operator who queued it: the replay sends the same key and gets the first
    // answer, not a second loan.
    const replayed = page.waitForRequest((r) => r.url().endsWith('/api/v1/loans') && r.method() === 'POST');
    await signIn(page, server.base, operator.email, operator.password);
    expect((await replayed).headers()['idempotency-key']).toBe(key);
    await page.getByText('Terkirim').waitFor();
    await page.getByText('1 tindakan menunggu jaringan').waitFor({ state: 'detached' });
    expect(await loansOf()).toHaveLength(1);
    const issuedBy = await server.t.db.query(`SELECT l.issued_by FROM loans l JOIN students s ON s.id = l.student_id WHERE s.nisn = $1`, [student]);
    expect(issuedBy.rows[0].issued_by).toBe(operator.id);
  });

  it('takes 3 laptops back with charges, the receipt opened each time', async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Pengembalian' }).click();
    const scan = page.getByLabel('Tag aset perangkat');
    await scan.waitFor();
    await axe(page, 'return desk (empty)');
    const loans = (await server.t.db.query(`SELECT d.asset_tag FROM loans l JOIN devices d ON d.id = l.device_id WHERE l.status = 'active' ORDER BY l.issued_at LIMIT 3`)).rows.map((r) => r.asset_tag as string);
    for (const [n, assetTag] of loans.entries()) {
      await expect(hasFocus(scan)).resolves.toBe(true);
      await wedgeScan(page, assetTag);
      await page.getByRole('heading', { name: '2. Periksa dan konfirmasi' }).waitFor();
      if (n === 0) await page.getByLabel('Pengisi daya (charger)').uncheck();
      if (n === 1) await page.getByLabel(/Layar pecah/).check();
      if (n === 2) {
        await page.getByLabel('Tas').uncheck();
        await page.getByLabel(/Papan ketik rusak/).check();
        await page.getByLabel('Kondisi saat kembali').selectOption('poor');
        await page.getByLabel('Perangkat selanjutnya').selectOption('in_repair');
      }
      const preview = await page.locator('section.preview').textContent();
      expect(preview).toMatch(/Rp/);
      if (n === 2) {
        expect(preview).toContain('Rp550.000');
        await screenshot(page, 'return-desk', true);
        await axe(page, 'return desk (check)');
      }
      const before = await frameSrc(page);
      const receipt = pdfAnswer(page, '/return-receipt.pdf');
      await page.getByRole('button', { name: 'Konfirmasi pengembalian dan cetak tanda terima' }).click();
      await page.getByRole('status').filter({ hasText: /Pengembalian dicatat/ }).waitFor();
      await printed(page, receipt, before);
    }
    const charges = (await server.t.db.query(`SELECT amount FROM charges WHERE school_id = $1 ORDER BY amount`, [school.id])).rows.map((r) => Number(r.amount));
    expect(charges).toEqual([150_000, 250_000, 400_000, 1_200_000]);
  });

  it('bad input is told next to its field in the operator\'s language, never as JSON', async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Meja peminjaman' }).click();
    // The first student gave their laptop back with a charger missing: they owe a charge now.
    await page.getByLabel('NISN atau nama siswa').waitFor();
    await wedgeScan(page, nisn(1));
    await page.getByText('Tidak memenuhi syarat', { exact: true }).waitFor();
    const onLoan = (await server.t.db.query(`SELECT d.asset_tag FROM loans l JOIN devices d ON d.id = l.device_id WHERE l.status = 'active' ORDER BY l.issued_at DESC LIMIT 1`)).rows[0].asset_tag as string;
    await wedgeScan(page, onLoan);
    await page.getByText('Sedang dipinjam · Baru').waitFor();
    await page.getByLabel('Telepon wali').fill('123');
    await sign(page);
    await page.getByRole('button', { name: 'Terbitkan dan cetak perjanjian' }).click();
    const phoneError = page.locator('#guardian-phone-error');
    await phoneError.filter({ hasText: /\w/ }).waitFor();
    expect(await page.getByLabel('Telepon wali').getAttribute('aria-invalid')).toBe('true');
    const phoneText = (await phoneError.textContent())!;
    expect(phoneText).not.toMatch(/[{}"]|guardianConsent/);
    expect(phoneText).toMatch(/nomor|telepon/i);
    await page.getByLabel('Telepon wali').fill('0812-7000-1000');
    await page.getByRole('button', { name: 'Terbitkan dan cetak perjanjian' }).click();
    const alert = page.locator('main').getByRole('alert').filter({ hasText: /\w/ }).last();
    await alert.waitFor();
    const text = (await alert.textContent())!;
    await screenshot(page, 'desk-refused', true);
    expect(text).not.toMatch(/[{}"]|problem|urn:/);
    expect(text).toMatch(/Perangkat|Siswa|tagihan|syarat/i);
    await axe(page, 'desk (errors)');
    expect((await server.t.db.query(`SELECT count(*)::int AS n FROM loans l JOIN students s ON s.id = l.student_id WHERE s.nisn = $1 AND l.status = 'active'`, [nisn(1)])).rows[0].n).toBe(0);
  });

  it('the worklists list the open charges and the devices still waiting, searched and paged', async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Daftar kerja' }).click();
    await page.getByRole('link', { name: 'Biaya belum dibayar' }).click();
    await page.getByRole('cell', { name: 'Rp1.200.000' }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(4);
    await screenshot(page, 'worklist');
    await axe(page, 'worklist (open charges)');
    await page.getByRole('link', { name: 'Menunggu diambil' }).click();
    await page.getByRole('cell', { name: /Vino Bastian/ }).or(page.getByText('Tidak ada data.')).first().waitFor();
    await page.getByRole('link', { name: 'Terlambat dikembalikan' }).click();
    await page.getByText('Tidak ada data.').waitFor();
    await axe(page, 'worklist (overdue)');
    await page.getByRole('link', { name: 'Siswa keluar masih memegang perangkat' }).click();
    await page.getByText('Tidak ada data.').waitFor();
  });

  it('prints asset-tag label sheets in both layouts', async () => {
    const { page } = desk;
    await page.getByRole('link', { name: 'Label aset' }).click();
    await axe(page, 'labels');
    for (const layout of ['3 x 8', '2 x 7']) {
      await page.getByLabel(new RegExp(`^${layout}`)).check();
      const before = await frameSrc(page);
      const pdf = pdfAnswer(page, '/api/v1/devices/labels.pdf');
      await page.getByRole('button', { name: 'Buat lembar label (PDF)' }).click();
      expect((await pdf).url()).toContain(`layout=${layout.replace(' x ', 'x')}`);
      await page.getByRole('status').filter({ hasText: 'Lembar label siap' }).waitFor();
      await printed(page, pdf, before);
    }
    expect(desk.errors).toEqual([]);
  });

  it('the desk works on a phone: nothing wider than the screen, no serious axe finding', async () => {
    await desk.page.setViewportSize(VIEWPORTS.phone);
    for (const path of ['/desk', '/returns', '/worklists/open-charges', '/labels']) {
      await desk.page.goto(server.base + path);
      await desk.page.locator('main h1').waitFor();
      const overflow = (await desk.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect({ path, overflow: overflow <= 0 }).toEqual({ path, overflow: true });
      if (path === '/returns') await screenshot(desk.page, 'return-desk-phone');
      await axe(desk.page, `${path} (phone)`);
    }
    await desk.page.setViewportSize(VIEWPORTS.tablet);
  });
});
