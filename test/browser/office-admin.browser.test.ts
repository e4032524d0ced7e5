import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newCast } from '../helpers/factories.js';
import { launchBrowser, screenshot, seriousViolations, signIn, startConsoleServer, VIEWPORTS, type Browser, type ConsoleServer } from './console-browser.js';

// A program administrator prepares a new school year through the console's pages: a school, its
// operator and an auditor, an API key, the stock (a model, a batch, a device file with a bad row
// fixed before anything is written), the students, a program with its rules tried on a sample
// student, and the allocation previewed with every reason, then committed.
let server: ConsoleServer;
let browser: Browser;
let cast: Awaited<ReturnType<typeof newCast>>;
const n = String(Date.now() % 1_000_000).padStart(6, '0');
const npsn = `7${n}1`;
const schoolName = `SMP Negeri Tahun Baru ${n}`;
const operator = { email: `operator.${n}@smp.sch.id`, password: 'kata-sandi-awal-123', newPassword: 'kata-sandi-baru-456' };
const files = mkdtempSync(join(tmpdir(), 'office-admin-'));
const nisn = (i: number) => `0${n}${String(i).padStart(3, '0')}`;
const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
const code = `TB${String.fromCharCode(65 + (Number(n) % 26))}${String.fromCharCode(65 + (Number(n.slice(2)) % 26))}`;

beforeAll(async () => {
  server = await startConsoleServer();
  cast = await newCast(server.t);
  browser = await launchBrowser(VIEWPORTS.tablet);
  browser.page.on('dialog', (d) => void d.accept());
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const count = async (sql: string, params: unknown[]) => (await server.t.db.query(sql, params)).rows[0].n as number;
const file = (name: string, text: string) => {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
};
async function checkPage(name: string) {
  expect(await seriousViolations(browser.page)).toEqual([]);
  await screenshot(browser.page, name);
}
const tab = (name: string) => browser.page.getByRole('navigation', { name: 'Bagian administrasi' }).getByRole('link', { name }).click();
const form = (name: string) => browser.page.getByRole('form', { name });
/** A select by its label (a label's accessible name also holds the chosen option, so by its start). */
const select = (scope: Pick<import('playwright-core').Page, 'getByRole'>, label: string) => scope.getByRole('combobox', { name: new RegExp(`^${label}`) });

describe("a program admin's set-up of a new school year", () => {
  it('registers the school', async () => {
    const { page } = browser;
    await signIn(page, server.base, cast.admin.email, cast.admin.password);
    await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Administrasi' }).click();
    const f = form('Daftarkan sekolah');
    await f.getByLabel('NPSN').fill(npsn);
    await f.getByLabel('Nama sekolah').fill(schoolName);
    await select(f, 'Jenjang').selectOption('SMP');
    await f.getByLabel('Kecamatan').fill('Medan Kota');
    await f.getByRole('button', { name: 'Daftarkan sekolah' }).click();
    await page.getByText(`Sekolah ${schoolName} terdaftar.`).waitFor();
    await page.getByRole('row', { name: new RegExp(schoolName) }).waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM schools WHERE npsn = $1 AND name = $2`, [npsn, schoolName])).toBe(1);
    await checkPage('office-admin-schools');
  });

  it('a wrong NPSN is told next to its field, by the API', async () => {
    const f = form('Daftarkan sekolah');
    await f.getByLabel('NPSN').fill(npsn); // already registered
    await f.getByLabel('Nama sekolah').fill('Sekolah Kembar');
    await f.getByLabel('Kecamatan').fill('Medan Kota');
    await f.getByRole('button', { name: 'Daftarkan sekolah' }).click();
    const alert = f.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).not.toMatch(/[{}]|"code"/);
  });

  it('creates the school operator and an auditor, resets a password, deactivates an account', async () => {
    const { page } = browser;
    await tab('Pengguna');
    const f = form('Buat akun');
    await select(f, 'Peran').selectOption('school_admin');
    await select(f, 'Sekolah').selectOption({ label: schoolName });
    await f.getByLabel('Nama').fill('Operator Tahun Baru');
    await f.getByLabel('Email').fill(operator.email);
    await f.getByLabel('Kata sandi awal').fill(operator.password);
    await f.getByRole('button', { name: 'Buat akun' }).click();
    await page.getByText(`Akun ${operator.email} dibuat.`).waitFor();

    await select(f, 'Peran').selectOption('auditor');
    await f.getByLabel('Nama').fill('Auditor Inspektorat');
    await f.getByLabel('Email').fill(`auditor.${n}@inspektorat.go.id`);
    await f.getByLabel('Kata sandi awal').fill('kata-sandi-auditor-1');
    await f.getByRole('button', { name: 'Buat akun' }).click();
    await page.getByText(`Akun auditor.${n}@inspektorat.go.id dibuat.`).waitFor();

    await page.getByRole('button', { name: `Setel ulang kata sandi ${operator.email}` }).click();
    await page.getByLabel(`Kata sandi baru untuk ${operator.email}`).fill(operator.newPassword);
    await page.getByRole('button', { name: 'Simpan kata sandi baru' }).click();
    await page.getByText(`Kata sandi ${operator.email} telah disetel ulang.`).waitFor();
    const login = await server.t.http().post('/api/v1/auth/login').send({ email: operator.email, password: operator.newPassword });
    expect(login.status).toBe(200);

    await page.getByRole('button', { name: `Nonaktifkan auditor.${n}@inspektorat.go.id` }).click();
    await page.getByText(`Akun auditor.${n}@inspektorat.go.id diperbarui.`).waitFor();
    expect((await server.t.db.query(`SELECT role, active FROM users WHERE email = $1`, [`auditor.${n}@inspektorat.go.id`])).rows).toEqual([{ role: 'auditor', active: false }]);
    expect((await server.t.db.query(`SELECT u.role, s.npsn FROM users u JOIN schools s ON s.id = u.school_id WHERE u.email = $1`, [operator.email])).rows).toEqual([{ role: 'school_admin', npsn }]);
    await checkPage('office-admin-users');
  });

  it('creates an API key whose secret is shown once, then revokes it', async () => {
    const { page } = browser;
    await tab('Kunci API');
    const f = form('Buat kunci API');
    await f.getByLabel('Nama (untuk apa)').fill(`Sinkron ${n}`);
    await select(f, 'Peran').selectOption('auditor');
    await f.getByRole('button', { name: 'Buat kunci' }).click();
    const secret = await page.getByLabel('Kunci rahasia').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect((await server.t.http().get('/api/v1/auth/me').set('x-api-key', secret)).status).toBe(200);
    await checkPage('office-admin-keys');
    await page.getByRole('button', { name: 'Sudah saya simpan' }).click();
    expect(await page.getByLabel('Kunci rahasia').count()).toBe(0);
    await page.getByRole('button', { name: `Cabut kunci Sinkron ${n}` }).click();
    await page.getByRole('row', { name: new RegExp(`Sinkron ${n}.*Dicabut`) }).waitFor();
    expect((await server.t.http().get('/api/v1/auth/me').set('x-api-key', secret)).status).toBe(401);
  });

  it('registers the stock: a model, a batch, and a device file whose bad row is fixed before anything is written', async () => {
    const { page } = browser;
    await tab('Stok & impor');
    const m = form('Model baru');
    await m.getByLabel('Pabrikan').fill('Axioo');
    await m.getByLabel('Model', { exact: true }).fill(`Slimbook ${n}`);
    await m.getByRole('button', { name: 'Tambah model' }).click();
    const b = form('Batch pengadaan baru');
    await select(b, 'Model').selectOption({ label: `Axioo Slimbook ${n}` });
    await b.getByLabel('No. kontrak').fill(`SPK/${n}/DISDIK`);
    await b.getByLabel('Sumber dana').fill('APBD');
    await b.getByLabel('Diterima tanggal').fill(today);
    await b.getByLabel('Jumlah unit').fill('3');
    await b.getByLabel('Harga satuan (Rp)').fill('4500000');
    await b.getByRole('button', { name: 'Tambah batch' }).click();
    await page.getByRole('row', { name: new RegExp(`SPK/${n}/DISDIK`) }).waitFor();

    const header = 'asset_tag,serial_number,contract_ref,model,school_npsn,condition,accessories,warranty_ends_on,notes';
    const row = (i: number, warranty = '2030-01-31') => `TB-${n}-${i},SN-${n}-${i},SPK/${n}/DISDIK,,${npsn},new,charger;bag,${warranty},`;
    const devices = page.getByRole('region', { name: 'Impor perangkat (CSV)' });
    await devices.getByLabel('Berkas CSV').setInputFiles(file('perangkat.csv', [header, row(1), row(2, '2030-02-30'), row(3)].join('\n')));
    await devices.getByRole('button', { name: 'Periksa berkas' }).click();
    await devices.getByText('1 dari 3 baris bermasalah').waitFor();
    const errors = await devices.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(errors).toEqual([['3', 'warranty_ends_on', '2030-02-30', expect.stringMatching(/YYYY-MM-DD/)]]);
    expect(await devices.getByRole('button', { name: /^Impor/ }).isDisabled()).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM devices WHERE asset_tag LIKE $1`, [`TB-${n}-%`])).toBe(0);
    await devices.getByRole('table').scrollIntoViewIfNeeded();
    await checkPage('office-admin-import-errors');

    await devices.getByLabel('Berkas CSV').setInputFiles(file('perangkat-perbaikan.csv', [header, row(1), row(2), row(3)].join('\n')));
    await devices.getByRole('button', { name: 'Periksa berkas' }).click();
    await devices.getByText('Berkas benar: 3 dari 3 baris siap diimpor').waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM devices WHERE asset_tag LIKE $1`, [`TB-${n}-%`])).toBe(0);
    await devices.getByRole('button', { name: 'Impor 3 baris' }).click();
    await devices.getByText('3 baris diimpor.').waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM devices d JOIN schools s ON s.id = d.school_id WHERE d.asset_tag LIKE $1 AND s.npsn = $2 AND d.status = 'in_stock'`, [`TB-${n}-%`, npsn])).toBe(3);
  });

  it('imports the students (two siblings on one family card)', async () => {
    const { page } = browser;
    const students = page.getByRole('region', { name: 'Impor siswa (ekspor Dapodik)' });
    await select(students, 'Sekolah').selectOption({ label: schoolName });
    const header = 'nisn,full_name,grade,class_name,date_of_birth,guardian_name,guardian_relation,guardian_phone,family_card_number,social_aid,enrolment_status';
    const line = (i: number, name: string, grade: number, card: string, aid = '') => `${nisn(i)},${name},${grade},${grade}A,2012-0${i}-1${i},Wali ${name},ibu,0812-3456-78${i}0,${card},${aid},`;
    await students
      .getByLabel('Berkas CSV')
      .setInputFiles(
        file('siswa.csv', [header, line(1, 'Putri Ayu', 9, `127101010101${n.slice(0, 4)}`, 'KIP'), line(2, 'Rizky Pratama', 9, `127101020202${n.slice(0, 4)}`), line(3, 'Rina Pratama', 8, `127101020202${n.slice(0, 4)}`), line(4, 'Dewi Lestari', 8, `127101030303${n.slice(0, 4)}`), line(5, 'Budi Santoso', 7, `127101040404${n.slice(0, 4)}`)].join('\n')),
      );
    await students.getByRole('button', { name: 'Periksa berkas' }).click();
    await students.getByText('Berkas benar: 5 dari 5 baris siap diimpor').waitFor();
    await students.getByRole('button', { name: 'Impor 5 baris' }).click();
    await students.getByText('5 baris diimpor.').waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM students st JOIN schools s ON s.id = st.school_id WHERE s.npsn = $1`, [npsn])).toBe(5);
    await checkPage('office-admin-stock');
  });

  it('creates the program with its rules, tried on a sample student as they are edited', async () => {
    const { page } = browser;
    await tab('Program');
    const f = form('Program baru');
    await f.getByLabel('Kode').fill(code);
    await f.getByLabel('Nama program').fill(`Laptop Pelajar ${n}`);
    await f.getByLabel('Mulai').fill(today);
    await f.getByLabel('Berakhir').fill(nextYear);
    await f.getByLabel('Jatuh tempo pinjaman').fill(nextYear);
    await f.getByLabel('Kelas terendah').fill('7');
    await f.getByLabel('Kelas tertinggi').fill('9');
    await f.getByLabel('Satu perangkat per kartu keluarga').check();
    await f.getByLabel('NISN contoh siswa').fill(nisn(1));
    await f.getByRole('button', { name: 'Coba siswa ini' }).click();
    await f.getByText('Layak · prioritas 190').waitFor();
    // The preview follows the rules as they are edited: grade 9 is now outside.
    await f.getByLabel('Kelas tertinggi').fill('8');
    await f.getByText('Tidak layak').waitFor();
    await f.getByLabel('Kelas tertinggi').fill('9');
    await f.getByText('Layak · prioritas 190').waitFor();
    await f.getByLabel('Syarat perjanjian pinjam pakai (versi 1)').fill('Perangkat adalah barang milik daerah yang dipinjamkan kepada siswa.');
    await f.getByRole('region', { name: 'Pratinjau kelayakan untuk contoh siswa' }).scrollIntoViewIfNeeded();
    await checkPage('office-admin-program');
    await f.getByRole('button', { name: 'Buat program' }).click();
    await page.getByText(`Program ${code} · Laptop Pelajar ${n} dibuat.`).waitFor();
    const [program] = (await server.t.db.query(`SELECT id, rules FROM programs WHERE code = $1`, [code])).rows;
    expect(program.rules).toMatchObject({ grades: { min: 7, max: 9 }, schoolLevels: ['SMP'], onePerFamilyCard: true });
  });

  it('previews the allocation ranked with every reason, then commits it', async () => {
    const { page } = browser;
    // Students apply at their school (the school operator's work, through the API here).
    const [program] = (await server.t.db.query(`SELECT id FROM programs WHERE code = $1`, [code])).rows;
    const token = (await server.t.http().post('/api/v1/auth/login').send({ email: operator.email, password: operator.newPassword })).body.accessToken;
    for (let i = 1; i <= 5; i++) {
      const [student] = (await server.t.db.query(`SELECT id FROM students WHERE nisn = $1`, [nisn(i)])).rows;
      const res = await server.t.http().post(`/api/v1/programs/${program.id}/applications`).set('authorization', `Bearer ${token}`).send({ studentId: student.id });
      expect(res.status).toBe(201);
    }
    await tab('Alokasi');
    await select(page.getByRole('main'), 'Program').selectOption(program.id);
    await select(page.getByRole('main'), 'Sekolah').selectOption({ label: schoolName });
    await page.getByRole('button', { name: 'Pratinjau (uji coba)' }).click();
    await page.getByText('Uji coba: 3 perangkat akan dialokasikan').waitFor();
    // The names come from the schools' student lists, after the plan: the table shows none until all are in.
    await page.getByRole('table', { name: schoolName }).getByRole('rowheader', { name: /^Putri Ayu/ }).waitFor();
    const rows = await page.getByRole('table', { name: schoolName }).locator('tbody tr').evaluateAll((trs) => trs.map((r) => [...r.children].map((c) => c.textContent)));
    expect(rows.map((r) => [r[0], r[1]?.replace(/ \(.*/, ''), r[3]])).toEqual([
      ['1', 'Putri Ayu', 'Mendapat perangkat'],
      ['2', 'Rizky Pratama', 'Mendapat perangkat'],
      ['3', 'Dewi Lestari', 'Mendapat perangkat'],
      ['4', 'Budi Santoso', 'Menunggu'],
      ['–', 'Rina Pratama', 'Tidak layak'],
    ]);
    expect(rows[3][4]).toMatch(/\S/);
    expect(rows[4][4]).toMatch(/kartu keluarga/i);
    expect(await count(`SELECT count(*)::int AS n FROM applications WHERE program_id = $1 AND status = 'allocated'`, [program.id])).toBe(0);
    await page.getByRole('table', { name: schoolName }).scrollIntoViewIfNeeded();
    await checkPage('office-admin-allocation');
    await page.getByRole('button', { name: 'Jalankan alokasi (3 perangkat)' }).click();
    await page.getByText('Alokasi selesai: 3 perangkat dipesan.').waitFor();
    expect(await count(`SELECT count(*)::int AS n FROM applications WHERE program_id = $1 AND status = 'allocated'`, [program.id])).toBe(3);
    expect(browser.errors).toEqual([]);
  });
});
