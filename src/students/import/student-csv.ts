import { isSchoolAgeBirthDate, schoolAgeBirthDates } from '../../common/plausible.js';
import { isDay, shown } from '../../common/csv-import/csv-records.js';
import type { RankedError } from '../../common/csv-import/import-errors.js';
import type { ImportCode, Params } from '../../i18n/i18n.js';
import { SOCIAL_AID_PROGRAMS, type SocialAid } from '../../programs/eligibility/eligibility-rules.js';
import { normaliseIndonesianPhone } from '../phone.js';
import type { EnrolmentStatus, GuardianRelation } from '../student.entity.js';
import { importError } from '../../common/errors.js';

/**
 * The student CSV format: a school's Dapodik "peserta didik" export as it is, or our own English
 * column names. Pure functions, no database. docs/students-import.md is the user-facing
 * description of the same rules, with the mapping table.
 */

export const FIELDS = [
  'nisn',
  'full_name',
  'grade',
  'class_name',
  'date_of_birth',
  'guardian_name',
  'guardian_relation',
  'father_name',
  'mother_name',
  'wali_name',
  'guardian_phone',
  'home_phone',
  'family_card_number',
  'resident',
  'social_aid',
  'kip',
  'pkh',
  'pip',
  'dtks',
  'bpnt',
  'kks',
  'enrolment_status',
] as const;
export type Field = (typeof FIELDS)[number];

/** The header names each field answers to, as `headerKey` reads them. The first is ours (English). */
export const COLUMN_NAMES: Record<Field, readonly string[]> = {
  nisn: ['nisn'],
  full_name: ['full name', 'nama', 'nama peserta didik', 'nama lengkap', 'nama siswa'],
  grade: ['grade', 'tingkat kelas', 'tingkat'],
  class_name: ['class name', 'rombel saat ini', 'rombel', 'rombongan belajar', 'kelas'],
  date_of_birth: ['date of birth', 'tanggal lahir', 'tgl lahir'],
  guardian_name: ['guardian name'],
  guardian_relation: ['guardian relation'],
  father_name: ['nama ayah', 'nama ayah kandung'],
  mother_name: ['nama ibu', 'nama ibu kandung'],
  wali_name: ['nama wali'],
  guardian_phone: ['guardian phone', 'hp', 'no hp', 'nomor hp', 'nomor telepon seluler', 'telepon seluler'],
  home_phone: ['telepon', 'no telepon', 'nomor telepon'],
  family_card_number: ['family card number', 'no kk', 'nomor kk', 'nomor kartu keluarga'],
  resident: ['resident', 'penduduk kota'],
  social_aid: ['social aid'],
  kip: ['penerima kip'],
  pkh: ['penerima kps', 'penerima pkh', 'penerima kps pkh'],
  pip: ['layak pip', 'layak pip usulan dari sekolah', 'penerima pip'],
  dtks: ['terdaftar dtks', 'penerima dtks'],
  bpnt: ['penerima bpnt'],
  kks: ['nomor kks', 'no kks'],
  enrolment_status: ['enrolment status', 'enrollment status', 'status', 'status siswa', 'jenis keluar'],
};

const FIELD_BY_KEY = new Map<string, Field>(FIELDS.flatMap((field) => COLUMN_NAMES[field].map((key) => [key, field] as const)));

/** The Dapodik export's two-row header: a group cell over the parent's columns (Nama, NIK, ...). */
const GROUPS: Record<string, string> = { 'data ayah': 'Ayah', 'data ibu': 'Ibu', 'data wali': 'Wali' };

/** The Dapodik export opens with a few title rows (school, district, download date) above the header. */
export const MAX_TITLE_ROWS = 10;

/** Columns whose cells are personal data: their errors never quote the cell (answers are stored for replay). */
const PERSONAL = new Set<Field>(['nisn', 'full_name', 'date_of_birth', 'guardian_name', 'father_name', 'mother_name', 'wali_name', 'guardian_phone', 'home_phone', 'family_card_number', 'kks']);
const PARENT_COLUMNS = ['wali_name', 'mother_name', 'father_name'] as const;
const PARENT_RELATION: Record<(typeof PARENT_COLUMNS)[number], GuardianRelation> = { wali_name: 'guardian', mother_name: 'mother', father_name: 'father' };
/** The yes/no column for each social-aid program. */
const AID_COLUMN: Record<SocialAid, Field> = { KIP: 'kip', PKH: 'pkh', PIP: 'pip', DTKS: 'dtks', BPNT: 'bpnt' };
const AIDS_SORTED = [...SOCIAL_AID_PROGRAMS].sort();

/**
 * "Tanggal Lahir", "tanggal_lahir", "No. KK" and "dateOfBirth" all read as lower-case words
 * separated by single spaces: `tanggal lahir`, `no kk`, `date of birth`.
 */
export const headerKey = (cell: string) =>
  cell
    .normalize('NFKC')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** The header row is the first with a NISN column (title rows above it are skipped). */
export const isHeaderRow = (cells: string[]) => cells.some((cell) => headerKey(cell) === 'nisn');

/** True when the header is Dapodik's two-row one: the row below names the parents' columns. */
export const hasColumnGroups = (cells: string[]) => cells.some((cell) => GROUPS[headerKey(cell)] !== undefined);

/**
 * Flattens Dapodik's two-row header: under "Data Ayah" the row below has Nama, Tahun Lahir, ...,
 * which become "Nama Ayah", "Tahun Lahir Ayah", ...; other columns keep their top cell.
 */
export function mergeHeaderRows(top: string[], below: string[]): string[] {
  const names: string[] = [];
  let group: string | null = null;
  for (let i = 0; i < Math.max(top.length, below.length); i++) {
    const upper = (top[i] ?? '').trim();
    const lower = (below[i] ?? '').trim();
    if (upper !== '') group = GROUPS[headerKey(upper)] ?? null;
    if (group !== null && lower !== '') names.push(`${lower} ${group}`);
    else names.push(upper !== '' ? upper : lower);
  }
  return names;
}

/** Where each known column sits in the file's header, and how the file names it. */
export interface HeaderLayout {
  position: Partial<Record<Field, number>>;
  /** The column's name as the file writes it, for errors. */
  label: Partial<Record<Field, string>>;
  width: number;
  /** Columns the import does not read (most of a Dapodik export), as the file names them. */
  ignored: string[];
}

/** Reads the header row. Any error here is a 400 before a single row is looked at. */
export function readHeader(cells: string[], line: number): { layout: HeaderLayout; errors: RankedError[] } {
  const position: Partial<Record<Field, number>> = {};
  const label: Partial<Record<Field, string>> = {};
  const ignored: string[] = [];
  const errors: RankedError[] = [];
  const fail = (field: string, code: ImportCode, params: Params, rank: number) => errors.push({ ...importError(line, field, code, params), rank });

  cells.forEach((cell, index) => {
    const name = cell.trim();
    if (name === '') return;
    const field = FIELD_BY_KEY.get(headerKey(name));
    if (field === undefined) ignored.push(shown(name));
    else if (position[field] !== undefined) fail(name, 'same_as_column', { column: position[field]! + 1, label: label[field]! }, index);
    else {
      position[field] = index;
      label[field] = name;
    }
  });
  const end = cells.length;
  const need = (field: Field, names: string) => {
    if (position[field] === undefined) fail(field, 'column_missing_name_it', { names }, end);
  };
  need('nisn', 'NISN');
  need('full_name', 'Nama / full_name');
  need('date_of_birth', 'Tanggal Lahir / date_of_birth');
  if (position.grade === undefined && position.class_name === undefined) {
    fail('grade', 'grade_column_missing', {}, end);
  }
  const parents = PARENT_COLUMNS.filter((f) => position[f] !== undefined);
  for (const field of ['guardian_name', 'guardian_relation'] as const) {
    if (position[field] !== undefined && parents.length) {
      fail(label[field]!, 'guardian_or_parents', { parents: parents.map((f) => label[f]).join(', ') }, position[field]!);
    }
  }
  const flags = (['kip', 'pkh', 'pip', 'dtks', 'bpnt', 'kks'] as const).filter((f) => position[f] !== undefined);
  if (position.social_aid !== undefined && flags.length) {
    fail(label.social_aid!, 'aid_list_or_flags', { flags: flags.map((f) => label[f]).join(', ') }, position.social_aid);
  }
  return { layout: { position, label, width: cells.length, ignored }, errors };
}

/**
 * A row that passed every check. `null` (and an aid the file says nothing about) means the file
 * did not say: an existing student keeps what is stored, a new one gets the default.
 */
export interface StudentRow {
  nisn: string;
  fullName: string;
  grade: number;
  className: string | null;
  dateOfBirth: string;
  guardianName: string | null;
  guardianRelation: GuardianRelation | null;
  guardianPhone: string | null;
  familyCardNumber: string | null;
  resident: boolean | null;
  /** The programs this row speaks about, and of those, the ones the student is a member of. */
  aidKnown: SocialAid[];
  aidSet: SocialAid[];
  enrolmentStatus: EnrolmentStatus | null;
}

/** What one row yields: its NISN when well-formed (for duplicate checks) and the row when it is good. */
export interface RowResult {
  nisn: string | null;
  row: StudentRow | null;
}

/**
 * Checks one data row and reports every problem in it, not just the first. `today` (YYYY-MM-DD)
 * bounds the birth date.
 */
export function readRow(cells: string[], line: number, layout: HeaderLayout, today: string, report: (error: RankedError) => void): RowResult {
  if (cells.length !== layout.width) {
    report({ ...importError(line, 'row', 'cell_count', { cells: cells.length, width: layout.width }), rank: -1 });
    return { nisn: null, row: null };
  }
  let ok = true;
  const p = layout.position;
  const cell = (field: Field) => (p[field] === undefined ? '' : blankAsEmpty(cells[p[field]!]));
  const fail: Fail = (field, code, params = {}) => {
    ok = false;
    const raw = p[field] === undefined ? '' : cells[p[field]!].trim();
    const value = PERSONAL.has(field) || raw === '' ? undefined : shown(raw);
    report({ ...importError(line, layout.label[field] ?? field, code, params, value), rank: p[field] ?? -1 });
  };

  const nisn = readNisn(cell('nisn'), fail);
  const fullName = readText(cell('full_name'), 200, 'full_name', fail, true);
  const className = readText(cell('class_name'), 50, 'class_name', fail, false);
  const grade = readGrade(cell('grade'), className ?? null, p.grade !== undefined, fail);
  const dateOfBirth = readBirthDate(cell('date_of_birth'), today, fail);
  const guardian = readGuardian(cell, p, fail);
  const guardianPhone = readPhone(cell, fail);
  const familyCardNumber = readFamilyCard(cell('family_card_number'), fail);
  const resident = readYesNo(cell('resident'), 'resident', fail);
  const aid = readAid(cell, fail);
  const enrolmentStatus = readStatus(cell('enrolment_status'), fail);
  if (!ok) return { nisn, row: null };
  // Every reader reported its failures through `fail`: with none, every value is present.
  const row: StudentRow = {
    nisn: nisn!,
    fullName: fullName!,
    grade: grade!,
    className: className ?? null,
    dateOfBirth: dateOfBirth!,
    ...guardian,
    guardianPhone: guardianPhone ?? null,
    familyCardNumber: familyCardNumber ?? null,
    resident: resident ?? null,
    ...aid!,
    enrolmentStatus: enrolmentStatus ?? null,
  };
  return { nisn, row };
}

type Fail = (field: Field, code: ImportCode, params?: Params) => void;
type Cell = (field: Field) => string;

/** Spreadsheets (and Dapodik) write "-" for "nothing here". */
function blankAsEmpty(raw: string): string {
  const text = raw.trim();
  return /^[-\u2013\u2014]+$/.test(text) ? '' : text;
}

/** Lower-case words, for values written in either language ("Putus Sekolah", "dropped_out"). */
const word = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, ' ').trim();

function readNisn(raw: string, fail: Fail): string | null {
  // A leading apostrophe is how people keep a spreadsheet from reading the NISN as a number.
  const nisn = raw.replace(/^'/, '').replace(/\s+/g, '');
  if (nisn === '') fail('nisn', 'required');
  else if (/^\d{10}$/.test(nisn)) return nisn;
  else if (/^\d{1,9}$/.test(nisn)) fail('nisn', 'nisn_lost_zeros');
  else fail('nisn', 'exact_digits', { count: 10 });
  return null;
}

/** Whitespace collapsed; null when empty; undefined when refused. */
function readText(raw: string, max: number, field: Field, fail: Fail, required: boolean): string | null | undefined {
  const text = raw.replace(/\s+/g, ' ');
  if (text === '') {
    if (!required) return null;
    fail(field, 'required');
    return undefined;
  }
  if (text.length > max) {
    fail(field, 'too_long', { max });
    return undefined;
  }
  return text;
}

const ROMAN: Record<string, number> = { I: 1, II: 2, III: 3, IV: 4, V: 5, VI: 6, VII: 7, VIII: 8, IX: 9, X: 10, XI: 11, XII: 12 };
/** A grade at the start of a class name: "7A", "10 IPA 1", "VII-A", "VIIA", "XI MIPA 2", "Kelas 7A". */
const CLASS_GRADE = /^(?:(\d{1,2})(?!\d)|(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)(?=$|[^A-Z]|[A-Z](?:$|[^A-Z])))/;

/** A grade written on its own: 7, 07, VII, Kelas 7. */
export function parseGrade(text: string): number | null {
  const bare = text.replace(/^kelas\s*/i, '').trim().toUpperCase();
  const n = /^\d{1,2}$/.test(bare) ? Number(bare) : (ROMAN[bare] ?? 0);
  return n >= 1 && n <= 12 ? n : null;
}

/** The grade a class name starts with, or null. */
export function gradeOfClass(className: string): number | null {
  const match = CLASS_GRADE.exec(className.replace(/^kelas\s*/i, '').toUpperCase());
  if (!match) return null;
  const n = match[1] !== undefined ? Number(match[1]) : ROMAN[match[2]];
  return n >= 1 && n <= 12 ? n : null;
}

function readGrade(raw: string, className: string | null, hasColumn: boolean, fail: Fail): number | null {
  if (raw !== '') {
    const grade = parseGrade(raw);
    if (grade === null) fail('grade', 'not_grade');
    return grade;
  }
  const grade = className === null ? null : gradeOfClass(className);
  if (grade === null) {
    fail(hasColumn ? 'grade' : 'class_name', 'grade_missing');
  }
  return grade;
}

const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/** YYYY-MM-DD, or day first as written in Indonesia (DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY). */
export function parseDate(text: string): string | null {
  const ymd = YMD.exec(text);
  const dmy = ymd ? null : DMY.exec(text);
  if (!ymd && !dmy) return null;
  const [year, month, day] = ymd ? [ymd[1], ymd[2], ymd[3]].map(Number) : [dmy![3], dmy![2], dmy![1]].map(Number);
  if (!isDay(year, month, day)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function readBirthDate(raw: string, today: string, fail: Fail): string | null {
  if (raw === '') {
    fail('date_of_birth', 'required');
    return null;
  }
  const date = parseDate(raw);
  if (date === null) fail('date_of_birth', 'not_date');
  else if (date > today) fail('date_of_birth', 'in_future');
  else if (date < '1900-01-01') fail('date_of_birth', 'before_1900');
  else if (!isSchoolAgeBirthDate(date, today)) fail('date_of_birth', 'not_school_age', schoolAgeBirthDates(today));
  else return date;
  return null;
}

const RELATIONS: Record<string, GuardianRelation> = {
  mother: 'mother', ibu: 'mother', 'ibu kandung': 'mother',
  father: 'father', ayah: 'father', 'ayah kandung': 'father', bapak: 'father',
  guardian: 'guardian', wali: 'guardian',
  grandparent: 'grandparent', kakek: 'grandparent', nenek: 'grandparent',
  sibling: 'sibling', kakak: 'sibling', abang: 'sibling', saudara: 'sibling', 'saudara kandung': 'sibling',
  other: 'other', lainnya: 'other', 'lain lain': 'other',
};

/**
 * Ours: guardian_name and guardian_relation. Dapodik's: the parents' names; the guardian is the
 * wali when there is one (a student with a wali usually lives with them), else the mother, else
 * the father, and the relation follows from the column.
 */
function readGuardian(cell: Cell, p: HeaderLayout['position'], fail: Fail): { guardianName: string | null; guardianRelation: GuardianRelation | null } {
  if (p.guardian_name !== undefined || p.guardian_relation !== undefined) {
    const guardianName = readText(cell('guardian_name'), 200, 'guardian_name', fail, false) ?? null;
    const relationText = cell('guardian_relation');
    const guardianRelation = relationText === '' ? null : (RELATIONS[word(relationText)] ?? null);
    if (relationText !== '' && guardianRelation === null) {
      fail('guardian_relation', 'not_relation');
    }
    return { guardianName, guardianRelation };
  }
  let chosen: { guardianName: string | null; guardianRelation: GuardianRelation | null } = { guardianName: null, guardianRelation: null };
  for (const field of PARENT_COLUMNS) {
    const name = readText(cell(field), 200, field, fail, false);
    if (chosen.guardianName === null && name) chosen = { guardianName: name, guardianRelation: PARENT_RELATION[field] };
  }
  return chosen;
}

/** The guardian's phone: the HP column, else the home phone. undefined when it is not a phone number. */
function readPhone(cell: Cell, fail: Fail): string | null | undefined {
  const field: Field = cell('guardian_phone') !== '' ? 'guardian_phone' : 'home_phone';
  const raw = cell(field);
  const compact = raw.replace(/[\s().-]/g, '');
  if (/^0*$/.test(compact)) return null;
  // A spreadsheet reading 0812... as a number drops the 0.
  const phone = normaliseIndonesianPhone(/^8\d{8,11}$/.test(compact) ? `0${compact}` : raw);
  if (phone === null) {
    fail(field, 'not_phone');
    return undefined;
  }
  return phone;
}

function readFamilyCard(raw: string, fail: Fail): string | null | undefined {
  const card = raw.replace(/^'/, '').replace(/\s+/g, '');
  if (/^0*$/.test(card)) return null;
  if (/^\d{16}$/.test(card)) return card;
  if (/e\+?\d+$/i.test(card) || /^\d+[.,]\d+$/.test(card)) fail('family_card_number', 'family_card_as_number');
  else fail('family_card_number', 'exact_digits', { count: 16 });
  return undefined;
}

const YES = new Set(['ya', 'y', 'iya', 'yes', 'true', '1']);
const NO = new Set(['tidak', 't', 'tdk', 'no', 'n', 'false', '0', 'bukan']);

/** Ya/Tidak (and yes/no, true/false, 1/0); empty is "not said" (null); undefined when unreadable. */
function readYesNo(raw: string, field: Field, fail: Fail): boolean | null | undefined {
  if (raw === '') return null;
  const text = word(raw);
  if (YES.has(text)) return true;
  if (NO.has(text)) return false;
  fail(field, 'not_yes_no');
  return undefined;
}

/**
 * Social aid: our `social_aid` list speaks about every program; Dapodik's yes/no columns each
 * about one, and a KKS number (Kartu Keluarga Sejahtera, issued to DTKS families) says DTKS.
 */
function readAid(cell: Cell, fail: Fail): { aidKnown: SocialAid[]; aidSet: SocialAid[] } | null {
  const list = cell('social_aid');
  if (list !== '') {
    const names = [...new Set(list.toUpperCase().split(/[\s;,/]+/).filter(Boolean))];
    const unknown = names.filter((n) => !(SOCIAL_AID_PROGRAMS as readonly string[]).includes(n));
    if (unknown.length) {
      fail('social_aid', 'not_aid_program', { names: unknown.map((n) => `"${n.slice(0, 20)}"`).join(', '), programs: SOCIAL_AID_PROGRAMS.join(', ') });
      return null;
    }
    return { aidKnown: AIDS_SORTED, aidSet: AIDS_SORTED.filter((a) => names.includes(a)) };
  }
  const known: SocialAid[] = [];
  const set: SocialAid[] = [];
  let ok = true;
  // Programs in alphabetical order, as an update stores the merged list.
  for (const program of AIDS_SORTED) {
    const said = readYesNo(cell(AID_COLUMN[program]), AID_COLUMN[program], fail);
    if (said === undefined) ok = false;
    const member = said ?? (program === 'DTKS' && !/^0*$/.test(cell('kks').replace(/\s+/g, '')) ? true : null);
    if (member === null) continue;
    known.push(program);
    if (member) set.push(program);
  }
  return ok ? { aidKnown: known, aidSet: set } : null;
}

const STATUSES: Record<string, EnrolmentStatus> = {
  enrolled: 'enrolled', aktif: 'enrolled',
  graduated: 'graduated', lulus: 'graduated',
  transferred: 'transferred', mutasi: 'transferred', pindah: 'transferred', 'pindah sekolah': 'transferred',
  'dropped out': 'dropped_out', keluar: 'dropped_out', 'putus sekolah': 'dropped_out', dikeluarkan: 'dropped_out', 'mengundurkan diri': 'dropped_out',
};

function readStatus(raw: string, fail: Fail): EnrolmentStatus | null | undefined {
  if (raw === '') return null;
  const status = STATUSES[word(raw)];
  if (status === undefined) {
    fail('enrolment_status', 'not_enrolment_status');
  }
  return status;
}
