import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomInt } from 'node:crypto';
import { newCast, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { readFileSync } from 'node:fs';
import { issued, newCatalogue, newDevice, newProgram, type Catalogue } from '../loans/loan-fixtures.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let catalogue: Catalogue;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  catalogue = await newCatalogue(t);
});
afterAll(() => t?.close());

let seq = 0;
/** A fresh 10-digit NISN. */
const nisn = () => String(3_000_000_000 + ++seq * 1000 + randomInt(1000));

interface ImportOptions {
  mode?: string;
  /** ?dryRun=true: checked, nothing written. */
  dryRun?: boolean;
  key?: string;
  user?: TestUser;
  /** The ?schoolId= query; `null` leaves it out. Default school A. */
  schoolId?: string | null;
  /** Accept-Language. */
  language?: string;
}

function url(options: ImportOptions): string {
  const query = new URLSearchParams();
  const schoolId = options.schoolId === undefined ? cast.schoolA.id : options.schoolId;
  if (schoolId !== null) query.set('schoolId', schoolId);
  if (options.mode) query.set('mode', options.mode);
  if (options.dryRun) query.set('dryRun', 'true');
  return `/api/v1/students/import?${query}`;
}

function importCsv(csv: string, options: ImportOptions = {}) {
  const req = t.http().post(url(options)).set('authorization', (options.user ?? cast.admin).auth).set('content-type', 'text/csv');
  if (options.key) req.set('idempotency-key', options.key);
  if (options.language) req.set('accept-language', options.language);
  return req.send(csv);
}

function importMultipart(csv: string, options: ImportOptions = {}) {
  const req = t.http().post(url(options)).set('authorization', (options.user ?? cast.admin).auth);
  if (options.key) req.set('idempotency-key', options.key);
  return req.attach('file', Buffer.from(csv), { filename: 'siswa.csv', contentType: 'text/csv' });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const errorsAt = (body: { errors: { line: number; field: string }[] }) => body.errors.map((e) => `${e.line}:${e.field}`);

async function writeCounts(): Promise<Record<string, number>> {
  const { rows } = await t.db.query(`
    SELECT (SELECT count(*) FROM students)::int AS students,
           (SELECT coalesce(sum(version), 0) FROM students)::int AS versions,
           (SELECT count(*) FROM student_import_fingerprints)::int AS fingerprints,
           (SELECT count(*) FROM audit_events)::int AS audit`);
  return rows[0];
}

async function student(nisnValue: string) {
  const { rows } = await t.db.query(
    `SELECT id, full_name, school_id, grade, class_name, date_of_birth::text, guardian_name, guardian_relation, guardian_phone,
            family_card_number, resident, social_aid, enrolment_status, left_at::text, version
     FROM students WHERE nisn = $1`,
    [nisnValue],
  );
  return rows[0];
}

const importEvents = async () =>
  (await t.db.query(`SELECT actor_id, school_id, entity_type, entity_id, after FROM audit_events WHERE action = 'student.imported' ORDER BY id`)).rows;

/** Our own column names. */
const HEADER = 'nisn,full_name,grade,class_name,date_of_birth,guardian_name,guardian_relation,guardian_phone,family_card_number,social_aid,enrolment_status';

/**
 * A Dapodik "Daftar Peserta Didik" export saved from Excel as CSV with Indonesian settings: title
 * rows, the two-row header with the parents' groups, semicolons, a byte-order mark, CRLF.
 */
const DAPODIK_TOP = [
  'No', 'Nama', 'NIPD', 'JK', 'NISN', 'Tempat Lahir', 'Tanggal Lahir', 'NIK', 'Agama', 'Alamat', 'RT', 'RW', 'Dusun', 'Kelurahan', 'Kecamatan',
  'Kode Pos', 'Jenis Tinggal', 'Alat Transportasi', 'Telepon', 'HP', 'E-Mail', 'SKHUN', 'Penerima KPS', 'No. KPS',
  'Data Ayah', '', '', '', '', '', 'Data Ibu', '', '', '', '', '', 'Data Wali', '', '', '', '', '',
  'Rombel Saat Ini', 'No Peserta Ujian Nasional', 'No Seri Ijazah', 'Penerima KIP', 'Nomor KIP', 'Nama di KIP', 'Nomor KKS',
  'No Registrasi Akta Lahir', 'Bank', 'Nomor Rekening Bank', 'Rekening Atas Nama', 'Layak PIP (usulan dari sekolah)', 'Alasan Layak PIP',
  'Kebutuhan Khusus', 'Sekolah Asal', 'Anak ke-berapa', 'Lintang', 'Bujur', 'No KK', 'Berat Badan', 'Tinggi Badan', 'Lingkar Kepala',
  'Jml. Saudara Kandung', 'Jarak Rumah ke Sekolah (KM)',
];
const PARENT = ['Nama', 'Tahun Lahir', 'Jenjang Pendidikan', 'Pekerjaan', 'Penghasilan', 'NIK'];
const DAPODIK_BELOW = DAPODIK_TOP.map((_, i) => (i >= 24 && i < 42 ? PARENT[(i - 24) % 6] : ''));
const col = (name: string, group?: number) => (group === undefined ? DAPODIK_TOP.indexOf(name) : 24 + group * 6 + PARENT.indexOf(name));

function dapodikRow(no: number, values: { nama: string; nisn: string; lahir: string; rombel: string; hp?: string; ayah?: string; ibu?: string; wali?: string; kip?: string; pip?: string; kps?: string; kk?: string }) {
  const cells = DAPODIK_TOP.map(() => '');
  cells[col('No')] = String(no);
  cells[col('Nama')] = values.nama;
  cells[col('NIPD')] = `2425${String(no).padStart(3, '0')}`;
  cells[col('JK')] = no % 2 ? 'L' : 'P';
  cells[col('NISN')] = values.nisn;
  cells[col('Tempat Lahir')] = 'Medan';
  cells[col('Tanggal Lahir')] = values.lahir;
  cells[col('NIK')] = `127101${String(no).padStart(10, '0')}`;
  cells[col('Agama')] = 'Islam';
  cells[col('Alamat')] = 'Jl. Sei Batang Hari No. 5';
  cells[col('Kecamatan')] = 'Kec. Medan Baru';
  cells[col('HP')] = values.hp ?? '';
  cells[col('Penerima KPS')] = values.kps ?? 'Tidak';
  cells[col('Nama', 0)] = values.ayah ?? '';
  cells[col('Pekerjaan', 0)] = 'Wiraswasta';
  cells[col('Nama', 1)] = values.ibu ?? '';
  cells[col('Nama', 2)] = values.wali ?? '';
  cells[col('Rombel Saat Ini')] = values.rombel;
  cells[col('Penerima KIP')] = values.kip ?? 'Tidak';
  cells[col('Layak PIP (usulan dari sekolah)')] = values.pip ?? 'Tidak';
  cells[col('No KK')] = values.kk ?? '';
  return cells;
}

function dapodikFile(rows: string[][]): string {
  const line = (cells: string[]) => cells.map((c) => (/[;"\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(';');
  const pad = (text: string) => line([text, ...DAPODIK_TOP.slice(1).map(() => '')]);
  return (
    '\ufeff' +
    [
      pad('Daftar Peserta Didik'),
      pad('SMP NEGERI 1 MEDAN'),
      pad('Kecamatan Kec. Medan Baru, Kabupaten Kota Medan, Provinsi Prov. Sumatera Utara'),
      pad('Tanggal Unduh: 2027-07-01 08:15:00'),
      line(DAPODIK_TOP),
      line(DAPODIK_BELOW),
      ...rows.map(line),
    ].join('\r\n') +
    '\r\n'
  );
}

describe('a Dapodik export', () => {
  it('is accepted as it is: title rows, two-row header, semicolons; the columns map to students', async () => {
    const [a, b, c] = [nisn(), nisn(), nisn()];
    const csv = dapodikFile([
      dapodikRow(1, { nama: 'PUTRI AYU LESTARI', nisn: a, lahir: '2013-05-17', rombel: '8B', hp: '081234567890', ayah: 'Budi Santoso', ibu: 'Sri Wahyuni', kip: 'Ya', kk: '1271010101010001' }),
      dapodikRow(2, { nama: 'RIZKY PRATAMA', nisn: b, lahir: '02/11/2012', rombel: 'VIII-A', hp: '8139876543', ayah: 'Ahmad', kps: 'Ya', pip: 'Ya' }),
      dapodikRow(3, { nama: 'DEWI SARTIKA', nisn: c, lahir: '2014-01-09', rombel: 'Kelas 7C', ibu: 'Rina', wali: 'Hasan Basri', hp: '-' }),
    ]);
    const res = await importCsv(csv, { user: cast.operatorA, schoolId: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'all-or-nothing', schoolId: cast.schoolA.id, rows: 3, imported: 3, created: 3, updated: 0, unchanged: 0, rejected: 0, errorCount: 0, errors: [] });
    expect(res.body.ignoredColumns).toEqual(expect.arrayContaining(['No', 'NIPD', 'JK', 'NIK', 'Agama', 'Tahun Lahir Ayah', 'NIK Ibu', 'Bank', 'Jarak Rumah ke Sekolah (KM)']));

    expect(await student(a)).toMatchObject({
      full_name: 'PUTRI AYU LESTARI', school_id: cast.schoolA.id, grade: 8, class_name: '8B', date_of_birth: '2013-05-17',
      guardian_name: 'Sri Wahyuni', guardian_relation: 'mother', guardian_phone: '+6281234567890', family_card_number: '1271010101010001',
      resident: true, social_aid: ['KIP'], enrolment_status: 'enrolled', left_at: null, version: 1,
    });
    expect(await student(b)).toMatchObject({
      grade: 8, class_name: 'VIII-A', date_of_birth: '2012-11-02', guardian_name: 'Ahmad', guardian_relation: 'father', guardian_phone: '+628139876543',
      family_card_number: null, social_aid: ['PIP', 'PKH'],
    });
    expect(await student(c)).toMatchObject({ grade: 7, class_name: 'Kelas 7C', guardian_name: 'Hasan Basri', guardian_relation: 'guardian', guardian_phone: null, social_aid: [] });
  });

  it('reports its bad rows by their line in the file and the column as the file names it', async () => {
    const csv = dapodikFile([
      dapodikRow(1, { nama: 'A', nisn: nisn(), lahir: '2013-05-17', rombel: '8B' }),
      dapodikRow(2, { nama: 'B', nisn: '71234567', lahir: '31/02/2013', rombel: '8B', hp: '0812' }),
    ]);
    const res = await importCsv(csv);
    expect(res.status).toBe(422);
    // Four title rows, two header rows: the second student is on line 8.
    expect(res.body.errors).toEqual([
      { line: 8, field: 'NISN', code: 'nisn_lost_zeros', params: {}, message: 'must be exactly 10 digits (if the spreadsheet dropped leading zeros, format the column as text and export again)' },
      { line: 8, field: 'Tanggal Lahir', code: 'not_date', params: {}, message: 'must be a date: YYYY-MM-DD or DD/MM/YYYY' },
      { line: 8, field: 'HP', code: 'not_phone', params: {}, message: 'must be an Indonesian phone number, e.g. 0812-3456-7890 or +62 812 3456 7890' },
    ]);
  });
});

describe('the sample Dapodik export in test/fixtures', () => {
  // An anonymised "Daftar Peserta Didik" export as Excel saves it with Indonesian settings: a
  // byte-order mark, five title rows, the two-row header with the parents' groups, semicolons,
  // CRLF, `-` for empty cells. docs/students-import.md links to it.
  const sample = readFileSync(new URL('../fixtures/dapodik-daftar-peserta-didik.csv', import.meta.url), 'utf8');

  it('is the export as Dapodik writes it', () => {
    expect(sample.startsWith('\ufeffDaftar Peserta Didik;')).toBe(true);
    expect(sample.split('\r\n').length).toBe(5 + 2 + 12 + 1);
    expect(sample.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });

  it('imports as it is: twelve students, guardians and aid read from the parents and aid columns', async () => {
    const res = await importCsv(sample, { user: cast.operatorA, schoolId: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 12, imported: 12, created: 12, rejected: 0, errorCount: 0, errors: [] });
    expect(res.body.ignoredColumns).toEqual(expect.arrayContaining(['NIK', 'Agama', 'Nama di KIP', 'Nomor Rekening Bank', 'Lintang']));
    expect(await student('0099100003')).toMatchObject({
      full_name: 'CHRISTINE ROMAULI SIMANJUNTAK', grade: 8, class_name: 'Kelas 8A', date_of_birth: '2013-07-21',
      guardian_name: 'Rosmawati Sitompul', guardian_relation: 'mother', guardian_phone: '+6281370003344', social_aid: ['DTKS', 'KIP', 'PIP', 'PKH'],
    });
    expect(await student('0099100004')).toMatchObject({ guardian_name: 'Hasan Basri', guardian_relation: 'guardian', guardian_phone: null });
    expect(await student('0099100008')).toMatchObject({ guardian_name: 'Meilani Tan', guardian_phone: '+62614561234', social_aid: [] });
  });

  it('saved with another separator, is refused naming the separator it was read with and the lines looked at', async () => {
    const tabbed = sample.replace(/;/g, '\t');
    const res = await importCsv(tabbed);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'no_header_row', errors: [{ field: 'nisn', code: 'no_nisn_header', params: { separator: ',', first: 1, last: 11 } }] });
    expect(res.body.errors[0].message).toBe(
      'no header row with a NISN column in lines 1-11, read with "," as the separator: check that the file is a Dapodik export saved as CSV, and that its header names a NISN column',
    );
    const id = await importCsv(tabbed, { language: 'id' });
    expect(id.body.errors[0].message).toMatch(/^tidak ada baris judul dengan kolom NISN di baris 1-11, dibaca dengan "," sebagai pemisah/);
  });
});

describe('the header', () => {
  it('a missing required column is a 400 naming it, before any row is read', async () => {
    const before = await writeCounts();
    const res = await importCsv(`NISN,Nama,Rombel Saat Ini\n${nisn()},Putri,8B\n`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ line: 1, field: 'date_of_birth', code: 'column_missing_name_it', params: { names: 'Tanggal Lahir / date_of_birth' }, message: 'required column is missing from the header: name it Tanggal Lahir / date_of_birth' }]);
    expect(await writeCounts()).toEqual(before);
  });

  it('a file without a NISN column, or without rows, is a 400', async () => {
    const none = await importCsv('full_name,date_of_birth\nPutri,2013-05-17\n');
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([
      {
        field: 'nisn',
        code: 'no_nisn_header',
        params: { separator: ',', first: 1, last: 2 },
        message: 'no header row with a NISN column in lines 1-2, read with "," as the separator: check that the file is a Dapodik export saved as CSV, and that its header names a NISN column',
      },
    ]);
    const empty = await importCsv(`${HEADER}\n`);
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ field: 'file', code: 'no_rows', params: {}, message: 'the file has a header but no rows' }]);
  });
});

describe('a file with bad rows', () => {
  let elsewhere: string;
  let csv: string;
  let good: string[];

  beforeAll(async () => {
    elsewhere = nisn();
    expect((await importCsv(`${HEADER}\n${elsewhere},Murid Sekolah B,8,8A,2013-01-01,,,,,,\n`, { schoolId: cast.schoolB.id })).status).toBe(200);
    good = [nisn(), nisn(), nisn(), nisn()];
    const twice = nisn();
    csv = [
      HEADER, // 1
      `${good[0]},Putri Ayu,8,8B,2013-05-17,Sri Wahyuni,ibu,0812-3456-7890,1271010101010001,KIP;PKH,`, // 2 good
      `${good[1]},Rizky,,7A,17/05/2014,,,,,,`, // 3 good: grade from the class
      `${twice},Dewi,8,,2013-05-17,,,,,,`, // 4 NISN also on line 6
      `${good[2]},Budi,8,,2013-02-30,,,,,,`, // 5 bad date
      `${twice},Dewi Lagi,8,,2013-05-17,,,,,,`, // 6 NISN also on line 4
      `${elsewhere},Murid Sekolah B,8,8A,2013-01-01,,,,,,`, // 7 registered at another school
      `${good[3]},Sari,13,,2013-05-17,,tetangga,0812,12345,BLT,wafat`, // 8 five errors
      `123,Tono,8,8A`, // 9 too few cells
      `${nisn()},,8,,2013-05-17,,,,,,`, // 10 no name
    ].join('\n');
  });

  it('all-or-nothing: every error is reported with its line and column, and nothing is written', async () => {
    const before = await writeCounts();
    const res = await importCsv(csv);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(errorsAt(res.body)).toEqual([
      '4:nisn',
      '5:date_of_birth',
      '6:nisn',
      '7:nisn',
      '8:grade',
      '8:guardian_relation',
      '8:guardian_phone',
      '8:family_card_number',
      '8:social_aid',
      '8:enrolment_status',
      '9:row',
      '10:full_name',
    ]);
    const messages = res.body.errors.map((e: { line: number; message: string }) => `${e.line} ${e.message}`);
    expect(messages).toContain('4 this NISN is also on line 6');
    expect(messages).toContain('6 this NISN is also on line 4');
    expect(messages).toContain('7 this NISN is registered at another school: moving a student between schools is done by the program office (PATCH /api/v1/students/{id} with schoolId)');
    // Cells that are personal data are not quoted back; the others are.
    const values = Object.fromEntries(res.body.errors.map((e: { line: number; field: string; value?: string }) => [`${e.line}:${e.field}`, e.value]));
    expect(values).toMatchObject({ '8:grade': '13', '8:guardian_relation': 'tetangga', '8:social_aid': 'BLT', '8:enrolment_status': 'wafat' });
    expect(values['8:guardian_phone']).toBeUndefined();
    expect(values['8:family_card_number']).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(elsewhere);
    expect(res.body).toMatchObject({ status: 422, rows: 9, imported: 0, rejected: 7, errorCount: 12, errorsTruncated: false, checksum: sha256(csv) });
    expect(await writeCounts()).toEqual(before);
  });

  it('a dry run answers what each mode would (the same errors by line, the counts) and writes nothing: no student, fingerprint or event', async () => {
    const before = await writeCounts();
    const strict = await importCsv(csv, { dryRun: true });
    expect(strict.status).toBe(422);
    expect(strict.body).toMatchObject({ dryRun: true, rows: 9, imported: 0, rejected: 7, errorCount: 12 });
    const partial = await importCsv(csv, { mode: 'partial', dryRun: true });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ importId: null, dryRun: true, mode: 'partial', rows: 9, imported: 2, created: 2, updated: 0, unchanged: 0, rejected: 7, errorCount: 12, checksum: sha256(csv) });
    expect(errorsAt(partial.body)).toEqual(errorsAt(strict.body));
    expect(await writeCounts()).toEqual(before);
    expect(await student(good[0])).toBeUndefined();
  });

  it('partial: exactly the good rows are written, and one audit event records the counts and checksum, without personal data', async () => {
    const before = await writeCounts();
    const eventsBefore = (await importEvents()).length;
    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'partial', rows: 9, imported: 2, created: 2, updated: 0, unchanged: 0, rejected: 7, errorCount: 12, checksum: sha256(csv) });
    expect(await student(good[0])).toMatchObject({ full_name: 'Putri Ayu', guardian_relation: 'mother', guardian_phone: '+6281234567890', social_aid: ['KIP', 'PKH'] });
    expect(await student(good[1])).toMatchObject({ grade: 7, date_of_birth: '2014-05-17' });
    expect(await student(good[2])).toBeUndefined();
    // The student at school B is untouched.
    expect(await student(elsewhere)).toMatchObject({ school_id: cast.schoolB.id, version: 1 });

    const events = await importEvents();
    expect(events).toHaveLength(eventsBefore + 1);
    const event = events.at(-1);
    expect(event).toEqual({
      actor_id: cast.admin.id,
      school_id: cast.schoolA.id,
      entity_type: 'student_import',
      entity_id: res.body.importId,
      after: { mode: 'partial', schoolId: cast.schoolA.id, checksum: sha256(csv), fileBytes: Buffer.byteLength(csv), rows: 9, imported: 2, created: 2, updated: 0, unchanged: 0, rejected: 7, errorCount: 12, errorsTruncated: false, left: 0, reenrolled: 0, loansFlagged: 0 },
    });
    const text = JSON.stringify(event);
    for (const personal of ['Putri', 'Rizky', 'Sri Wahyuni', '+62', '1271010101010001', ...good]) expect(text).not.toContain(personal);
    // No per-student events for an import; the students and their fingerprints are new.
    const after = await writeCounts();
    expect(after.audit).toBe(before.audit + 1);
    expect(after.students).toBe(before.students + 2);
  });
});

// The same rules when every NISN is new: those files take the direct COPY into students (the file
// above, with a NISN registered at another school, took the staged way).
describe('a file that is not valid CSV', () => {
  it('a real name with quotes in an unquoted cell (Nur "Ayu") is a 400 naming line and column, without the name', async () => {
    const before = await writeCounts();
    const res = await importCsv(`NISN,Nama,Tanggal Lahir,Rombel Saat Ini\n${nisn()},Nur "Ayu",2013-05-17,8A\n`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ line: 2, field: 'row', code: 'not_csv', params: { reason: expect.any(String), column: 2 }, message: expect.any(String) }]);
    expect(res.text).not.toContain('Ayu');
    expect(await writeCounts()).toEqual(before);
  });

  it('a multipart body without its closing boundary is a 400', async () => {
    const body = `--zz\r\ncontent-disposition: form-data; name="file"; filename="s.csv"\r\n\r\nNISN,Nama\r\n${nisn()},Ani\r\n`;
    const res = await t.http().post(url({})).set('authorization', cast.admin.auth).set('content-type', 'multipart/form-data; boundary=zz').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'file', code: 'multipart_malformed' })]);
  });
});

describe('a file whose students are all new', () => {
  it('partial: both lines of a repeated NISN are rejected, the first one although it was already written', async () => {
    const [a, b, c] = [nisn(), nisn(), nisn()];
    const csv = [HEADER, `${a},Putri,8,8B,2013-05-17,,,,,,`, `${b},Rizky,8,8B,2013-05-18,,,,,,`, `${a},Dewi,8,8B,2013-05-19,,,,,,`, `${c},Sari,8,8B,2013-02-30,,,,,,`].join('\n');
    const all = await importCsv(csv);
    expect(all.status).toBe(422);
    expect(errorsAt(all.body)).toEqual(['2:nisn', '4:nisn', '5:date_of_birth']);
    expect(await student(b)).toBeUndefined();

    const res = await importCsv(csv, { mode: 'partial' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 4, imported: 1, created: 1, rejected: 3, errorCount: 3 });
    expect(await student(a)).toBeUndefined();
    expect(await student(b)).toMatchObject({ full_name: 'Rizky', version: 1 });
    const { rows } = await t.db.query(
      `SELECT s.nisn, f.accepted, f.import_id FROM student_import_fingerprints f JOIN students s ON s.id = f.student_id WHERE s.nisn = ANY($1)`,
      [[a, b, c]],
    );
    expect(rows).toEqual([{ nisn: b, accepted: true, import_id: res.body.importId }]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM student_import_fingerprints f WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.id = f.student_id)`)).rows[0].n).toBe(0);
  });
});

describe('re-importing', () => {
  it('updates changed students matched by NISN, leaves the rest alone, and counts created, updated and unchanged', async () => {
    const [a, b, c, d] = [nisn(), nisn(), nisn(), nisn()];
    const first = [
      HEADER,
      `${a},Putri Ayu,8,8B,2013-05-17,Sri Wahyuni,mother,0812-3456-7890,1271010101010001,KIP,`,
      `${b},Rizky,8,8B,2013-06-01,Ahmad,father,0813-1111-2222,,PKH,`,
      `${c},Dewi,7,7A,2014-01-09,,,,,,`,
    ].join('\n');
    expect((await importCsv(first)).body).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    // Aid recorded by hand for Dewi stays: the next file says nothing about it.
    const [{ id: dewi }] = (await t.db.query(`SELECT id FROM students WHERE nisn = $1`, [c])).rows;
    expect((await t.http().patch(`/api/v1/students/${dewi}`).set('authorization', cast.admin.auth).send({ socialAid: ['DTKS'] })).status).toBe(200);

    const second = [
      'NISN,Nama,Tanggal Lahir,Rombel Saat Ini,HP,Penerima KIP',
      `${a},Putri Ayu,2013-05-17,9B,,Ya`, // moved up a grade; empty HP keeps the phone
      `${b},Rizky,2013-06-01,8B,0813-1111-2222,Ya`, // now a KIP recipient too
      `${c},Dewi,2014-01-09,7A,,Tidak`, // says nothing new: KIP was not set, DTKS is kept
      `${d},Sari,2014-03-03,7A,,Tidak`, // new
    ].join('\n');
    const res = await importCsv(second);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 4, imported: 4, created: 1, updated: 2, unchanged: 1 });
    expect(await student(a)).toMatchObject({ grade: 9, class_name: '9B', guardian_phone: '+6281234567890', guardian_name: 'Sri Wahyuni', family_card_number: '1271010101010001', social_aid: ['KIP'], version: 2 });
    expect(await student(b)).toMatchObject({ social_aid: ['KIP', 'PKH'], version: 2 });
    expect(await student(c)).toMatchObject({ social_aid: ['DTKS'], version: 2 });
    expect(await student(d)).toMatchObject({ grade: 7, version: 1 });

    // The same file again changes nothing.
    const again = await importCsv(second);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    expect(await student(a)).toMatchObject({ version: 2 });
  });

  it("a status change records the student's leaving and flags their active loan, as PATCH does; re-enrolling clears leftAt", async () => {
    const n = nisn();
    expect((await importCsv(`${HEADER}\n${n},Putri Ayu,8,8B,2013-05-17,Sri Wahyuni,mother,0812-3456-7890,,,\n`)).status).toBe(200);
    const { id } = await student(n);
    const program = await newProgram(t, cast.admin);
    const loan = await issued(t, cast.operatorA, { programId: program.id, studentId: id, deviceId: await newDevice(t, catalogue, cast.schoolA.id) });

    const left = await importCsv(`NISN,Nama,Tanggal Lahir,Tingkat Kelas,Status\n${n},Putri Ayu,2013-05-17,8,Lulus\n`, { user: cast.operatorA });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ updated: 1, left: 1, reenrolled: 0, loansFlagged: 1 });
    const today = (await t.db.query(`SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date::text AS d`)).rows[0].d;
    expect(await student(n)).toMatchObject({ enrolment_status: 'graduated', left_at: today });
    const loanRow = (await t.db.query(`SELECT status, action_required FROM loans WHERE id = $1`, [loan.id])).rows[0];
    expect(loanRow).toEqual({ status: 'active', action_required: 'return_due' });
    const { rows: events } = await t.db.query(
      `SELECT action, entity_id, before->>'enrolmentStatus' AS was, after->>'enrolmentStatus' AS now, after->>'actionRequired' AS flag
       FROM audit_events WHERE entity_id IN ($1, $2) AND action IN ('student.left', 'loan.flagged') ORDER BY id`,
      [id, loan.id],
    );
    expect(events).toEqual([
      { action: 'student.left', entity_id: id, was: 'enrolled', now: 'graduated', flag: null },
      { action: 'loan.flagged', entity_id: loan.id, was: null, now: null, flag: 'return_due' },
    ]);

    const back = await importCsv(`NISN,Nama,Tanggal Lahir,Tingkat Kelas,Status\n${n},Putri Ayu,2013-05-17,8,aktif\n`);
    expect(back.body).toMatchObject({ updated: 1, left: 0, reenrolled: 1 });
    expect(await student(n)).toMatchObject({ enrolment_status: 'enrolled', left_at: null });
    const reenrolled = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'student.reenrolled' AND entity_id = $1`, [id]);
    expect(reenrolled.rows[0].n).toBe(1);
  });
});

describe('idempotency', () => {
  const file = (a: string, b: string) => `${HEADER}\n${a},Putri,8,8B,2013-05-17,,,,,,\n${b},Rizky,8,8B,2013-05-18,,,,,,\n`;

  it('a retry with the same key and file replays the answer without importing again; another file or school is a 422', async () => {
    const csv = file(nisn(), nisn());
    const key = `siswa-${nisn()}`;
    const first = await importCsv(csv, { key });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 2 });
    const before = await writeCounts();

    const replay = await importCsv(csv, { key });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const multipart = await importMultipart(csv, { key });
    expect(multipart.status).toBe(200);
    expect(multipart.body).toEqual(first.body);
    expect(await writeCounts()).toEqual(before);

    const otherFile = await importCsv(file(nisn(), nisn()), { key });
    expect(otherFile.status).toBe(422);
    expect(otherFile.body.type).toMatch(/idempotency-key-reused$/);
    const otherSchool = await importCsv(csv, { key, schoolId: cast.schoolB.id });
    expect(otherSchool.status).toBe(422);
    expect(otherSchool.body.type).toMatch(/idempotency-key-reused$/);

    // Without the key the same file is a new import: the students are there, unchanged.
    const again = await importCsv(csv);
    expect(again.body).toMatchObject({ created: 0, unchanged: 2 });
  });
});

describe('who may import where', () => {
  const csv = () => `${HEADER}\n${nisn()},Putri,8,8B,2013-05-17,,,,,,\n`;

  it("a school administrator imports to their own school; another school's is a 404, auditors get 403, nothing is written", async () => {
    expect((await importCsv(csv(), { user: cast.operatorA })).status).toBe(200);
    const before = await writeCounts();
    const other = await importCsv(csv(), { user: cast.operatorB });
    expect(other.status).toBe(404);
    expect(other.body.detail).toBe('The school was not found');
    expect((await importCsv(csv(), { user: cast.auditor })).status).toBe(403);
    expect((await t.http().post(url({})).set('content-type', 'text/csv').send(csv())).status).toBe(401);
    expect(await writeCounts()).toEqual(before);
  });

  it('a program administrator names the school; an unknown one is a 404', async () => {
    const missing = await importCsv(csv(), { schoolId: null });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'schoolId', code: 'import_school_required', params: {}, message: 'name the school the students are at: ?schoolId=' }]);
    expect((await importCsv(csv(), { schoolId: '6f1c1a52-3f0a-4b8e-9d3a-1f2e3d4c5b6a' })).status).toBe(404);
    expect((await importCsv(csv(), { schoolId: 'not-a-uuid' })).status).toBe(400);
  });

  it('multipart works, and other content types are a 415', async () => {
    expect((await importMultipart(csv())).status).toBe(200);
    const json = await t.http().post(url({})).set('authorization', cast.admin.auth).send({ csv: 'x' });
    expect(json.status).toBe(415);
  });
});

describe('NISNs whose imports disagree (duplicate-beneficiary report)', () => {
  it('lists the fields that differ, which imports and schools said what, scoped like the rest of the report', async () => {
    const n = nisn();
    const program = await newProgram(t, cast.admin);
    const report = async (user: TestUser) => {
      const res = await t.http().get(`/api/v1/programs/${program.id}/duplicate-beneficiaries`).set('authorization', user.auth);
      expect(res.status).toBe(200);
      return (res.body.conflictingImports as { nisn: string }[]).find((c) => c.nisn === n);
    };

    const first = await importCsv(`${HEADER}\n${n},Putri Ayu,8,8B,2013-05-17,,,,1271010101010001,,\n`);
    // Same data, spelt differently: no disagreement.
    expect((await importCsv(`${HEADER}\n${n},PUTRI  AYU,8,8C,17/05/2013,,,,,,\n`)).status).toBe(200);
    expect(await report(cast.admin)).toBeUndefined();

    // Another birth date from the same school, then school B claims the NISN with another name.
    const second = await importCsv(`${HEADER}\n${n},Putri Ayu,8,8B,2013-07-15,,,,1271010101010001,,\n`);
    const claim = await importCsv(`${HEADER}\n${n},Siti Rahma,8,8A,2013-07-15,,,,,,\n`, { schoolId: cast.schoolB.id, mode: 'partial' });
    expect(claim.body).toMatchObject({ imported: 0, rejected: 1 });

    const { id } = await student(n);
    expect(await report(cast.admin)).toEqual({
      studentId: id,
      nisn: n,
      schoolId: cast.schoolA.id,
      beneficiary: false,
      fields: ['fullName', 'dateOfBirth'],
      imports: [
        { importId: first.body.importId, schoolId: cast.schoolA.id, recordedAt: expect.any(String), accepted: true, fullName: 1, dateOfBirth: 1, familyCardNumber: 1 },
        { importId: expect.any(String), schoolId: cast.schoolA.id, recordedAt: expect.any(String), accepted: true, fullName: 1, dateOfBirth: 1, familyCardNumber: null },
        { importId: second.body.importId, schoolId: cast.schoolA.id, recordedAt: expect.any(String), accepted: true, fullName: 1, dateOfBirth: 2, familyCardNumber: 1 },
        { importId: claim.body.importId, schoolId: cast.schoolB.id, recordedAt: expect.any(String), accepted: false, fullName: 2, dateOfBirth: 2, familyCardNumber: null },
      ],
    });
    // Auditors see it too; school A sees its own imports of its own student; school B, nothing.
    expect(await report(cast.auditor)).toMatchObject({ fields: ['fullName', 'dateOfBirth'] });
    const own = (await report(cast.operatorA)) as unknown as { fields: string[]; imports: { schoolId: string }[] };
    expect(own.fields).toEqual(['dateOfBirth']);
    expect(own.imports.map((i) => i.schoolId)).toEqual([cast.schoolA.id, cast.schoolA.id, cast.schoolA.id]);
    expect(await report(cast.operatorB)).toBeUndefined();
    const foreign = await t.http().get(`/api/v1/programs/${program.id}/duplicate-beneficiaries?schoolId=${cast.schoolA.id}`).set('authorization', cast.operatorB.auth);
    expect(foreign.status).toBe(404);

    // The fingerprints are not the data: nothing in the table reads as a name, date or card.
    const { rows } = await t.db.query(`SELECT row_to_json(f)::text AS r FROM student_import_fingerprints f WHERE student_id = $1`, [id]);
    for (const { r } of rows) expect(r).not.toMatch(/Putri|Siti|2013-0|1271010101010001/);

    // Anonymising the student (retention) deletes them, and the report forgets the NISN.
    await t.db.query(`UPDATE students SET enrolment_status = 'graduated', left_at = '2000-06-30' WHERE id = $1`, [id]);
    const run = await t.http().post('/api/v1/students/anonymise-departed').set('authorization', cast.admin.auth);
    expect(run.status).toBe(200);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM student_import_fingerprints WHERE student_id = $1`, [id])).rows[0].n).toBe(0);
    expect(await report(cast.admin)).toBeUndefined();
  });
});

describe('larger files', () => {
  const rowsOf = (count: number, grade = 8) => {
    const nisns = Array.from({ length: count }, nisn);
    const lines = [HEADER, ...nisns.map((n, i) => `${n},Murid ${i},${grade},${grade}A,2013-05-17,Wali ${i},guardian,0812${String(i).padStart(8, '0')},,KIP,`)];
    return { nisns, csv: lines.join('\n') + '\n' };
  };

  it('10,000 rows are imported, and imported again as updates', async () => {
    const { nisns, csv } = rowsOf(10_000);
    const res = await importCsv(csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 10_000, imported: 10_000, created: 10_000 });
    const again = await importCsv(csv.replace(/,8,8A,/g, ',9,9A,'));
    expect(again.body).toMatchObject({ imported: 10_000, created: 0, updated: 10_000, unchanged: 0 });
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM students WHERE nisn = ANY($1) AND grade = 9`, [nisns]);
    expect(rows[0].n).toBe(10_000);
  });

  it('two imports of the same file at once: never a 500, and every student exactly once', async () => {
    const { nisns, csv } = rowsOf(1000);
    const [a, b] = await Promise.all([importCsv(csv), importCsv(csv)]);
    // The later one either met the earlier one's rows mid-insert (409) or found them committed (unchanged).
    expect([a.status, b.status]).toContain(200);
    // 503 when the wait at the unique index passed the 5 s lock limit.
    for (const res of [a, b]) expect([200, 409, 503]).toContain(res.status);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM students WHERE nisn = ANY($1)`, [nisns]);
    expect(rows[0].n).toBe(1000);
  });
});
