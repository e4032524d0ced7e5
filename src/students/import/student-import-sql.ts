import { COPY_NULL as NULL, copyText as text } from '../../common/csv-import/copy.js';
import { statement } from '../../database/statements.js';
import type { StudentRow } from './student-csv.js';

/**
 * The SQL of a student import, for its two ways into `students` (as the device import's):
 *
 * - direct: while the file is parsed, the good rows are COPYed straight into `students` (ids made
 *   here), and then their fingerprints into `student_import_fingerprints`. A first import of a
 *   school's students goes this way, at about the speed of COPY itself.
 * - staged: when the direct COPY meets a NISN already registered (a unique violation aborts a
 *   COPY), the import goes back to its savepoint and takes this way:
 *   1. the good rows are COPYed into `student_import_rows` (temporary: no WAL, gone at commit);
 *   2. the students already registered under those NISNs are locked and noted in
 *      `student_import_matches`, with what the import may change and the audit log needs;
 *   3. those at another school are reported (the row is refused);
 *   4. those at this school are updated in one UPDATE ... FROM, only where something differs;
 *   5. the rest are inserted in one INSERT ... SELECT, and every row's fingerprints recorded.
 *
 * In the staging table NULL means "the file did not say": an update keeps the stored value, an
 * insert takes the default (as `POST /students` does).
 *
 * The staging tables are temporary (made per import, dropped at commit):
 * test/architecture/row-types.test.ts makes them for its own session (from the statements that
 * make them here) to describe the statements that read them like every other statement.
 */

const STUDENT_COLUMNS =
  'id, nisn, full_name, school_id, grade, class_name, date_of_birth, guardian_name, guardian_relation, guardian_phone, family_card_number, resident, social_aid, enrolment_status, left_at';
const FINGERPRINT_COLUMNS = 'student_id, key_id, name_fp, birth_fp, card_fp, school_id, import_id, accepted';

export const COPY_STUDENTS = `COPY students (${STUDENT_COLUMNS}) FROM STDIN`;
export const COPY_FINGERPRINTS = `COPY student_import_fingerprints (${FINGERPRINT_COLUMNS}) FROM STDIN`;

/** A large file legitimately takes longer than the per-statement limit meant for API calls. */
export const STUDENT_IMPORT_TIMEOUT = statement('student_import_timeout', `SET LOCAL statement_timeout = '10min'`);

/** The direct way is tried first; a registered NISN sends the import back here for the staged way. */
export const STUDENT_IMPORT_SAVEPOINT = statement('student_import_savepoint', `SAVEPOINT student_import`);
export const STUDENT_IMPORT_BACK_TO_SAVEPOINT = statement('student_import_back_to_savepoint', `ROLLBACK TO SAVEPOINT student_import`);

/** Direct way: first lines of NISNs repeated further down were COPYed before the repeat was seen. One row per student deleted. */
export const STUDENT_IMPORT_DELETE_DEMOTED_STUDENTS = statement<{ id: string }>(
  'student_import_delete_demoted_students',
  `DELETE FROM students WHERE id = ANY($1::uuid[]) RETURNING id`,
);

export const STUDENT_IMPORT_CREATE_STAGING = statement(
  'student_import_create_staging',
  `CREATE TEMP TABLE student_import_rows (
    line                integer NOT NULL,
    nisn                text NOT NULL,
    full_name           text NOT NULL,
    grade               integer NOT NULL,
    class_name          text,
    date_of_birth       date NOT NULL,
    guardian_name       text,
    guardian_relation   text,
    guardian_phone      text,
    family_card_number  text,
    resident            boolean,
    aid_known           text[] NOT NULL,
    aid_set             text[] NOT NULL,
    enrolment_status    text,
    name_fp             bigint NOT NULL,
    birth_fp            bigint NOT NULL,
    card_fp             bigint NOT NULL
  ) ON COMMIT DROP`,
);

export const COPY_STAGING = `COPY student_import_rows FROM STDIN`;

/** Staged way: lines good when read whose NISN turned up again further down. One row per line deleted. */
const DELETE_DEMOTED_ROWS = `DELETE FROM student_import_rows WHERE line = ANY($1::int[]) RETURNING line`;
export const STUDENT_IMPORT_DELETE_DEMOTED_ROWS = statement<{ line: number }>('student_import_delete_demoted_rows', DELETE_DEMOTED_ROWS);

/**
 * The registered students the file names, locked (in id order, so two imports cannot deadlock)
 * until the import commits: a PATCH meanwhile waits, and the lifecycle decisions below hold.
 */
const MATCH = `
  CREATE TEMP TABLE student_import_matches ON COMMIT DROP AS
  SELECT r.line, s.id, s.school_id, s.grade, s.class_name, s.guardian_name, s.guardian_relation, s.guardian_phone,
         s.family_card_number, s.resident, s.social_aid, s.enrolment_status, s.left_at, s.version
  FROM student_import_rows r JOIN students s ON s.nisn = r.nisn
  ORDER BY s.id
  FOR UPDATE OF s`;
export const STUDENT_IMPORT_MATCH = statement('student_import_match', MATCH);

/** Rows whose student is registered at another school: refused; the first `$2` by line listed. */
const OTHER_SCHOOL = `
  WITH other AS (SELECT line FROM student_import_matches WHERE school_id <> $1)
  SELECT (SELECT count(*) FROM other)::int AS total,
         (SELECT coalesce(json_agg(line), '[]') FROM (SELECT line FROM other ORDER BY line LIMIT $2) o) AS listed`;
export const STUDENT_IMPORT_OTHER_SCHOOL = statement<{ total: number; listed: number[] }>('student_import_other_school', OTHER_SCHOOL);

/**
 * Students of this school the file changes. `left_at` follows PATCH /students: set to today
 * ($2) on leaving, cleared on re-enrolling, kept otherwise. Social aid: the programs the row
 * speaks about are replaced, the others kept.
 */
const UPDATE = `
  WITH incoming AS (
    SELECT m.id, m.enrolment_status AS was,
           r.full_name, r.grade, r.date_of_birth,
           coalesce(r.class_name, m.class_name) AS class_name,
           coalesce(r.guardian_name, m.guardian_name) AS guardian_name,
           coalesce(r.guardian_relation, m.guardian_relation) AS guardian_relation,
           coalesce(r.guardian_phone, m.guardian_phone) AS guardian_phone,
           coalesce(r.family_card_number, m.family_card_number) AS family_card_number,
           coalesce(r.resident, m.resident) AS resident,
           ARRAY(SELECT a FROM unnest(m.social_aid) a WHERE a <> ALL (r.aid_known) UNION SELECT unnest(r.aid_set) ORDER BY 1) AS social_aid,
           coalesce(r.enrolment_status, m.enrolment_status) AS enrolment_status,
           CASE WHEN r.enrolment_status IS NULL OR (r.enrolment_status = 'enrolled') = (m.enrolment_status = 'enrolled') THEN m.left_at
                WHEN r.enrolment_status = 'enrolled' THEN NULL
                ELSE $2::date END AS left_at
    FROM student_import_rows r JOIN student_import_matches m ON m.line = r.line
    WHERE m.school_id = $1
  ), changed AS (
    UPDATE students s
       SET full_name = i.full_name, grade = i.grade, class_name = i.class_name, date_of_birth = i.date_of_birth,
           guardian_name = i.guardian_name, guardian_relation = i.guardian_relation, guardian_phone = i.guardian_phone,
           family_card_number = i.family_card_number, resident = i.resident, social_aid = i.social_aid,
           enrolment_status = i.enrolment_status, left_at = i.left_at, version = s.version + 1, updated_at = now()
      FROM incoming i
     WHERE s.id = i.id
       AND ((s.full_name, s.grade, s.class_name, s.date_of_birth, s.guardian_name, s.guardian_relation, s.guardian_phone,
             s.family_card_number, s.resident, s.enrolment_status, s.left_at)
            IS DISTINCT FROM
            (i.full_name, i.grade, i.class_name, i.date_of_birth, i.guardian_name, i.guardian_relation, i.guardian_phone,
             i.family_card_number, i.resident, i.enrolment_status, i.left_at)
            OR NOT (s.social_aid @> i.social_aid AND i.social_aid @> s.social_aid))
    RETURNING s.id, i.was, s.enrolment_status AS now
  )
  SELECT count(*)::int AS updated,
         coalesce(json_agg(json_build_object('id', id, 'was', was, 'now', now)) FILTER (WHERE was <> now), '[]') AS statuses
  FROM changed`;
export const STUDENT_IMPORT_UPDATE = statement<{ updated: number; statuses: { id: string; was: string; now: string }[] }>('student_import_update', UPDATE);

/**
 * New students ($1 the school, $2 today), then every row's fingerprints ($3 the import, $4 the
 * key id), new variants only. A NISN registered meanwhile by someone else is a unique violation
 * (409): the whole import rolls back and can be sent again.
 */
const INSERT = `
  WITH created AS (
    INSERT INTO students (nisn, full_name, school_id, grade, class_name, date_of_birth, guardian_name, guardian_relation,
                          guardian_phone, family_card_number, resident, social_aid, enrolment_status, left_at)
    SELECT r.nisn, r.full_name, $1, r.grade, r.class_name, r.date_of_birth, r.guardian_name, r.guardian_relation,
           r.guardian_phone, r.family_card_number, coalesce(r.resident, true), r.aid_set, coalesce(r.enrolment_status, 'enrolled'),
           CASE WHEN coalesce(r.enrolment_status, 'enrolled') <> 'enrolled' THEN $2::date END
    FROM student_import_rows r
    WHERE NOT EXISTS (SELECT 1 FROM student_import_matches m WHERE m.line = r.line)
    RETURNING id, nisn
  ), said AS (
    SELECT c.id AS student_id, true AS accepted, r.name_fp, r.birth_fp, r.card_fp
      FROM created c JOIN student_import_rows r ON r.nisn = c.nisn
    UNION ALL
    SELECT m.id, m.school_id = $1, r.name_fp, r.birth_fp, r.card_fp
      FROM student_import_matches m JOIN student_import_rows r ON r.line = m.line
  ), recorded AS (
    INSERT INTO student_import_fingerprints (student_id, key_id, name_fp, birth_fp, card_fp, school_id, import_id, accepted)
    SELECT student_id, $4, name_fp, birth_fp, card_fp, $1, $3, accepted FROM said
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM created)::int AS created, (SELECT count(*) FROM recorded)::int AS recorded`;
export const STUDENT_IMPORT_INSERT = statement<{ created: number; recorded: number }>('student_import_insert', INSERT);

/** Before and after images of the students whose enrolment status the import changed. */
const LIFECYCLE = `
  SELECT s.id, s.school_id, s.grade, s.resident, s.social_aid, s.enrolment_status, s.left_at::text AS left_at, s.version,
         m.grade AS was_grade, m.resident AS was_resident, m.social_aid AS was_social_aid, m.enrolment_status AS was_status,
         m.left_at::text AS was_left_at, m.version AS was_version
  FROM students s JOIN student_import_matches m ON m.id = s.id
  WHERE s.id = ANY($1::uuid[])
  ORDER BY s.id`;
export const STUDENT_IMPORT_LIFECYCLE = statement<LifecycleRow>('student_import_lifecycle', LIFECYCLE);

/** A student's record before and after the import, as the lifecycle events record it. */
export interface LifecycleRow {
  id: string;
  school_id: string;
  grade: number;
  resident: boolean;
  social_aid: string[];
  enrolment_status: string;
  left_at: string | null;
  version: number;
  was_grade: number;
  was_resident: boolean;
  was_social_aid: string[];
  was_status: string;
  was_left_at: string | null;
  was_version: number;
}

/** How many of the leavers `$1` have an active loan. */
export const STUDENT_IMPORT_ACTIVE_LOANS = statement<{ n: number }>(
  'student_import_active_loans',
  `SELECT count(*)::int AS n FROM loans WHERE student_id = ANY($1::uuid[]) AND status = 'active'`,
);

export interface Fingerprints {
  name: string;
  birth: string;
  card: string;
}

const array = (values: string[]) => `{${values.join(',')}}`;
const bool = (value: boolean | null) => (value === null ? NULL : value ? 't' : 'f');

/** Staged way: a good row as a line of the staging table, in COPY's text format. */
export function stagingLine(line: number, row: StudentRow, fp: Fingerprints): string {
  return (
    `${line}\t${row.nisn}\t${text(row.fullName)}\t${row.grade}\t${text(row.className)}\t${row.dateOfBirth}\t` +
    `${text(row.guardianName)}\t${row.guardianRelation ?? NULL}\t${row.guardianPhone ?? NULL}\t${row.familyCardNumber ?? NULL}\t` +
    `${bool(row.resident)}\t${array(row.aidKnown)}\t${array(row.aidSet)}\t${row.enrolmentStatus ?? NULL}\t` +
    `${fp.name}\t${fp.birth}\t${fp.card}\n`
  );
}

/** Direct way: a new student (id made by the caller), defaults applied as the INSERT of the staged way applies them. */
export function studentLine(id: string, schoolId: string, today: string, row: StudentRow): string {
  const status = row.enrolmentStatus ?? 'enrolled';
  return (
    `${id}\t${row.nisn}\t${text(row.fullName)}\t${schoolId}\t${row.grade}\t${text(row.className)}\t${row.dateOfBirth}\t` +
    `${text(row.guardianName)}\t${row.guardianRelation ?? NULL}\t${row.guardianPhone ?? NULL}\t${row.familyCardNumber ?? NULL}\t` +
    `${bool(row.resident ?? true)}\t${array(row.aidSet)}\t${status}\t${status === 'enrolled' ? NULL : today}\n`
  );
}

/** Direct way: a new student's fingerprints. */
export function fingerprintLine(studentId: string, keyId: number, fp: Fingerprints, schoolId: string, importId: string): string {
  return `${studentId}\t${keyId}\t${fp.name}\t${fp.birth}\t${fp.card}\t${schoolId}\t${importId}\tt\n`;
}
