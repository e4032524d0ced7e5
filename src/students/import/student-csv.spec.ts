import { describe, expect, it } from '@jest/globals';
import type { RankedError } from '../../common/csv-import/import-errors.js';
import { gradeOfClass, hasColumnGroups, headerKey, isHeaderRow, mergeHeaderRows, parseDate, parseGrade, readHeader, readRow } from './student-csv.js';
import { renderRowError } from '../../common/errors.js';
import { FingerprintKey, nameKey } from './fingerprints.js';

const TODAY = '2027-07-15';

/** The columns of a Dapodik "Daftar Peserta Didik" export that the import reads, among others it ignores. */
const DAPODIK = [
  'No', 'Nama', 'NIPD', 'JK', 'NISN', 'Tempat Lahir', 'Tanggal Lahir', 'NIK', 'Agama', 'Alamat', 'Kelurahan', 'Kecamatan', 'Telepon', 'HP',
  'Penerima KPS', 'Nama Ayah', 'Nama Ibu', 'Nama Wali', 'Rombel Saat Ini', 'Penerima KIP', 'Nomor KKS', 'Layak PIP (usulan dari sekolah)', 'No KK',
];
const { layout } = readHeader(DAPODIK, 5);

/** A Dapodik row, by column name; the rest empty. */
function dapodik(values: Record<string, string>): string[] {
  return DAPODIK.map((name) => values[name] ?? '');
}

function check(cells: string[], at = layout) {
  const errors: RankedError[] = [];
  const result = readRow(cells, 7, at, TODAY, (e) => errors.push(e));
  return { ...result, errors: errors.map((e) => `${e.field}: ${renderRowError(e, 'en').message}${e.value === undefined ? '' : ` [${e.value}]`}`) };
}

const BASE = { Nama: '  PUTRI   AYU LESTARI ', NISN: '0071234567', 'Tanggal Lahir': '2013-05-17', 'Rombel Saat Ini': '8B' };

describe('the header', () => {
  it('reads column names in any case and spelling, and lists the columns it does not use', () => {
    expect(headerKey('Tanggal_Lahir')).toBe('tanggal lahir');
    expect(headerKey('No. KK')).toBe('no kk');
    expect(headerKey('dateOfBirth')).toBe('date of birth');
    expect(headerKey(' Layak PIP (usulan dari sekolah) ')).toBe('layak pip usulan dari sekolah');
    expect(layout.position).toMatchObject({ full_name: 1, nisn: 4, date_of_birth: 6, home_phone: 12, guardian_phone: 13, pkh: 14, class_name: 18, family_card_number: 22 });
    expect(layout.ignored).toEqual(['No', 'NIPD', 'JK', 'Tempat Lahir', 'NIK', 'Agama', 'Alamat', 'Kelurahan', 'Kecamatan']);
  });

  it('takes our English names too', () => {
    const { layout: english, errors } = readHeader(['nisn', 'fullName', 'grade', 'class_name', 'date_of_birth', 'guardian_name', 'guardian_relation', 'guardian_phone', 'family_card_number', 'resident', 'social_aid', 'enrolment_status'], 1);
    expect(errors).toEqual([]);
    expect(english.ignored).toEqual([]);
  });

  it('names every problem: missing columns, two names for one thing, and mixed guardian or aid columns', () => {
    const { errors } = readHeader(['Nama', 'nama lengkap', 'NISN', 'guardian_name', 'Nama Ibu', 'social_aid', 'Penerima KIP'], 1);
    expect(errors.map((e) => `${e.field}: ${renderRowError(e, 'en').message}`)).toEqual([
      'nama lengkap: names the same thing as column 1 (Nama)',
      'date_of_birth: required column is missing from the header: name it Tanggal Lahir / date_of_birth',
      'grade: required column is missing from the header: give Tingkat Kelas (or grade), or Rombel Saat Ini (or class_name) starting with the grade',
      'guardian_name: give guardian_name and guardian_relation, or Nama Ibu, not both',
      'social_aid: give social_aid, or Penerima KIP, not both',
    ]);
  });

  it("finds the header below title rows, and flattens Dapodik's two-row header", () => {
    expect(isHeaderRow(['Daftar Peserta Didik'])).toBe(false);
    expect(isHeaderRow(['No', 'Nama', 'NISN'])).toBe(true);
    const top = ['No', 'Nama', 'NISN', 'Data Ayah', '', '', 'Data Ibu', '', 'Rombel Saat Ini'];
    const below = ['', '', '', 'Nama', 'Tahun Lahir', 'NIK', 'Nama', 'NIK', ''];
    expect(hasColumnGroups(top)).toBe(true);
    expect(mergeHeaderRows(top, below)).toEqual(['No', 'Nama', 'NISN', 'Nama Ayah', 'Tahun Lahir Ayah', 'NIK Ayah', 'Nama Ibu', 'NIK Ibu', 'Rombel Saat Ini']);
  });
});

describe('a Dapodik row', () => {
  it('maps to a student: names tidied, grade from the class, guardian and aid from the parents and flags', () => {
    const { row, errors } = check(
      dapodik({
        ...BASE,
        HP: '812-3456-7890',
        'Penerima KPS': 'Tidak',
        'Nama Ayah': 'Budi Santoso',
        'Nama Ibu': 'Sri Wahyuni',
        'Penerima KIP': 'Ya',
        'Layak PIP (usulan dari sekolah)': 'ya',
        'No KK': "'1271010101010001",
      }),
    );
    expect(errors).toEqual([]);
    expect(row).toEqual({
      nisn: '0071234567',
      fullName: 'PUTRI AYU LESTARI',
      grade: 8,
      className: '8B',
      dateOfBirth: '2013-05-17',
      guardianName: 'Sri Wahyuni',
      guardianRelation: 'mother',
      guardianPhone: '+6281234567890',
      familyCardNumber: '1271010101010001',
      resident: null,
      aidKnown: ['KIP', 'PIP', 'PKH'],
      aidSet: ['KIP', 'PIP'],
      enrolmentStatus: null,
    });
  });

  it('prefers the wali as guardian, takes the home phone when there is no HP, and reads a KKS number as DTKS', () => {
    const { row } = check(dapodik({ ...BASE, 'Nama Ayah': 'Budi', 'Nama Wali': 'Hasan', Telepon: '(061) 4567890', 'Nomor KKS': '5500123412341234' }));
    expect(row).toMatchObject({ guardianName: 'Hasan', guardianRelation: 'guardian', guardianPhone: '+62614567890', aidKnown: ['DTKS'], aidSet: ['DTKS'] });
  });

  it('treats "-" and empty cells as "not said"', () => {
    const { row } = check(dapodik({ ...BASE, HP: '-', 'Nama Ibu': '-', 'No KK': '0', 'Penerima KIP': '' }));
    expect(row).toMatchObject({ guardianName: null, guardianRelation: null, guardianPhone: null, familyCardNumber: null, aidKnown: [], aidSet: [] });
  });

  it('reports every problem in the row, without quoting personal data back', () => {
    const result = check(
      dapodik({
        Nama: '',
        NISN: '71234567',
        'Tanggal Lahir': '2013-02-30',
        HP: '0812',
        'Nama Wali': 'x'.repeat(201),
        'Rombel Saat Ini': 'IPA 1',
        'Penerima KIP': 'mungkin',
        'No KK': '1.27101E+15',
      }),
    );
    expect(result.row).toBeNull();
    expect(result.nisn).toBeNull();
    expect(result.errors).toEqual([
      'NISN: must be exactly 10 digits (if the spreadsheet dropped leading zeros, format the column as text and export again)',
      'Nama: is required',
      'Rombel Saat Ini: the grade is missing: give Tingkat Kelas, or a Rombel that starts with the grade (7A, VII-A, Kelas 7A) [IPA 1]',
      'Tanggal Lahir: must be a date: YYYY-MM-DD or DD/MM/YYYY',
      'Nama Wali: must be at most 200 characters',
      'HP: must be an Indonesian phone number, e.g. 0812-3456-7890 or +62 812 3456 7890',
      'No KK: must be exactly 16 digits (the spreadsheet turned it into a number such as 1.27E+15: format the column as text and export again)',
      'Penerima KIP: must be Ya or Tidak (yes or no) [mungkin]',
    ]);
  });

  it('keeps a well-formed NISN of a bad row for the duplicate check', () => {
    const { row, nisn } = check(dapodik({ ...BASE, 'Tanggal Lahir': '2030-01-01' }));
    expect(row).toBeNull();
    expect(nisn).toBe('0071234567');
  });

  it('a row with the wrong number of cells is one error for the whole row', () => {
    expect(check(['1', 'A']).errors).toEqual([`row: has 2 cells; the header has ${DAPODIK.length}`]);
  });
});

describe('our English columns', () => {
  const { layout: english } = readHeader(['nisn', 'full_name', 'grade', 'class_name', 'date_of_birth', 'guardian_name', 'guardian_relation', 'guardian_phone', 'resident', 'social_aid', 'enrolment_status'], 1);

  it('read the guardian, residency, the aid list and the status in either language', () => {
    const { row, errors } = check(['0071234567', 'Rizky', 'VII', '7-C', '17/05/2013', 'Hasan', 'Kakek', '+62 812 3456 7890', 'tidak', 'kip; pkh', 'lulus'], english);
    expect(errors).toEqual([]);
    expect(row).toMatchObject({
      grade: 7,
      dateOfBirth: '2013-05-17',
      guardianRelation: 'grandparent',
      resident: false,
      aidKnown: ['BPNT', 'DTKS', 'KIP', 'PIP', 'PKH'],
      aidSet: ['KIP', 'PKH'],
      enrolmentStatus: 'graduated',
    });
  });

  it('quote back the cells that are not personal data', () => {
    const { errors } = check(['0071234567', 'Rizky', '13', '', '2013-05-17', 'Hasan', 'tetangga', '', 'maybe', 'KIP;BLT', 'wafat'], english);
    expect(errors).toEqual([
      'grade: must be a grade from 1 to 12 (7, VII or Kelas 7) [13]',
      'guardian_relation: must be one of mother, father, guardian, grandparent, sibling, other (or ibu, ayah, wali, kakek, nenek, kakak, lainnya) [tetangga]',
      'resident: must be Ya or Tidak (yes or no) [maybe]',
      'social_aid: "BLT" is not a social-aid program (KIP, PKH, DTKS, BPNT, PIP; separate them with ;) [KIP;BLT]',
      'enrolment_status: must be enrolled, graduated, transferred or dropped_out (or aktif, lulus, mutasi, putus sekolah, dikeluarkan, mengundurkan diri) [wafat]',
    ]);
  });
});

describe('helpers', () => {
  it.each([
    ['7A', 7],
    ['Kelas 7A', 7],
    ['10 IPA 1', 10],
    ['VII-A', 7],
    ['VIIA', 7],
    ['VIII B', 8],
    ['IX', 9],
    ['XI MIPA 2', 11],
    ['XII-TKJ-1', 12],
    ['X', 10],
    ['IVA', 4],
    ['IPA 1', null],
    ['13A', null],
    ['Bahasa', null],
  ])('gradeOfClass(%s) is %s', (text, grade) => expect(gradeOfClass(text)).toBe(grade));

  it.each([
    ['7', 7],
    ['07', 7],
    ['VII', 7],
    ['kelas xii', 12],
    ['0', null],
    ['7A', null],
  ])('parseGrade(%s) is %s', (text, grade) => expect(parseGrade(text)).toBe(grade));

  it.each([
    ['2013-05-17', '2013-05-17'],
    ['2013-5-7', '2013-05-07'],
    ['17/05/2013', '2013-05-17'],
    ['7-5-2013', '2013-05-07'],
    ['29.02.2012', '2012-02-29'],
    ['29/02/2013', null],
    ['05/17/2013', null],
    ['17 Mei 2013', null],
  ])('parseDate(%s) is %s', (text, date) => expect(parseDate(text)).toBe(date));

  it('fingerprints equal data equally, regardless of spelling, and differently under another secret', () => {
    const row = check(dapodik(BASE)).row!;
    const key = new FingerprintKey('a'.repeat(32));
    expect(nameKey('M. Rizky  PRATAMA')).toBe(nameKey('m rizky pratama'));
    expect(key.of(row)).toEqual(key.of({ ...row, fullName: 'putri ayu  lestari' }));
    expect(key.of(row).card).toBe('0');
    expect(key.of({ ...row, dateOfBirth: '2013-05-18' }).birth).not.toBe(key.of(row).birth);
    const other = new FingerprintKey('b'.repeat(32));
    expect(other.of(row).name).not.toBe(key.of(row).name);
    expect(other.id).not.toBe(key.id);
  });
});
