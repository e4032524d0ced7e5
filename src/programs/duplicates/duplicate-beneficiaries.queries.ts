import { statement } from '../../database/statements.js';
import type { EligibilityRules } from '../eligibility/eligibility-rules.js';

export const DUPLICATE_PROGRAM_RULES = statement<{ rules: EligibilityRules | null }>('duplicate_program_rules', `SELECT rules FROM programs WHERE id = $1`);

/**
 * Families (by family card number) holding, by an active loan or an allocated application, more
 * than $2 devices of program $1; with $3 a school, only families with a student there.
 */
export const DUPLICATE_FAMILIES = statement<{
  family_card_number: string;
  devices: number;
  students: { studentId: string; schoolId: string; via: 'loan' | 'allocation'; id: string }[];
}>(
  'duplicate_families',
  `WITH holdings AS (
     SELECT s.family_card_number, s.id AS student_id, s.school_id, 'loan' AS via, l.id
     FROM loans l JOIN students s ON s.id = l.student_id
     WHERE l.program_id = $1 AND l.status = 'active' AND s.family_card_number IS NOT NULL
     UNION ALL
     SELECT s.family_card_number, s.id, s.school_id, 'allocation', a.id
     FROM applications a JOIN students s ON s.id = a.student_id
     WHERE a.program_id = $1 AND a.status = 'allocated' AND s.family_card_number IS NOT NULL)
   SELECT family_card_number, count(*)::int AS devices,
          jsonb_agg(jsonb_build_object('studentId', student_id, 'schoolId', school_id, 'via', via, 'id', id) ORDER BY student_id, id) AS students
   FROM holdings GROUP BY family_card_number
   HAVING count(*) > $2 AND ($3::uuid IS NULL OR bool_or(school_id = $3))
   ORDER BY count(*) DESC, family_card_number`,
);

export interface ConflictRow {
  id: string;
  nisn: string;
  school_id: string;
  beneficiary: boolean;
  accounts: { importId: string; schoolId: string; recordedAt: string; accepted: boolean; name: string; birth: string; card: string }[];
}

/**
 * Students with more than one value of a field across their import fingerprints under key $1
 * (card: among rows that gave one), the latest first, at most $4; whether each is a beneficiary
 * of program $2; with $3 a school, only its imports of its own students.
 */
export const DUPLICATE_CONFLICTING_IMPORTS = statement<ConflictRow>(
  'duplicate_conflicting_imports',
  `WITH accounts AS (
     SELECT f.* FROM student_import_fingerprints f JOIN students s ON s.id = f.student_id
     WHERE f.key_id = $1 AND ($3::uuid IS NULL OR (f.school_id = $3 AND s.school_id = $3))
   ), conflicted AS (
     SELECT student_id, max(recorded_at) AS latest FROM accounts GROUP BY student_id
     HAVING count(DISTINCT name_fp) > 1 OR count(DISTINCT birth_fp) > 1 OR count(DISTINCT nullif(card_fp, 0)) > 1
     ORDER BY latest DESC, student_id LIMIT $4
   )
   SELECT s.id, s.nisn, s.school_id,
          EXISTS (SELECT 1 FROM applications a WHERE a.student_id = s.id AND a.program_id = $2 AND a.status IN ('pending', 'allocated', 'fulfilled'))
            OR EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.program_id = $2 AND l.status = 'active') AS beneficiary,
          (SELECT json_agg(json_build_object('importId', a.import_id, 'schoolId', a.school_id, 'recordedAt', a.recorded_at, 'accepted', a.accepted,
                                             'name', a.name_fp::text, 'birth', a.birth_fp::text, 'card', a.card_fp::text)
                           ORDER BY a.recorded_at, a.import_id, a.name_fp, a.birth_fp, a.card_fp)
             FROM accounts a WHERE a.student_id = s.id) AS accounts
   FROM conflicted c JOIN students s ON s.id = c.student_id
   ORDER BY c.latest DESC, s.id`,
);
