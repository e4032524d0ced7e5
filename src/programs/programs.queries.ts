import { prepared, statement } from '../database/statements.js';
import type { Program } from './program.entity.js';

// Every eligibility check reads its program: a prepared statement in the entity's shape (TypeORM's
// query builder for this one row was 7% of an eligibility check's CPU; docs/benchmarks.md "Round two").
export const PROGRAM_BY_ID = prepared<Program>(
  'program_by_id',
  `SELECT id, code, name, starts_on::text AS "startsOn", ends_on::text AS "endsOn", loan_due_date::text AS "loanDueDate",
          loan_days AS "loanDays", max_extensions AS "maxExtensions", max_term_days AS "maxTermDays", rules,
          terms_version AS "termsVersion", version, created_at AS "createdAt", updated_at AS "updatedAt"
   FROM programs WHERE id = $1`,
);

/** A version of a program's agreement terms: $1 program, $2 version, $3 text, $4 who wrote it. */
export const PROGRAM_TERMS_INSERT = statement<{ created_at: Date }>(
  'program_terms_insert',
  `INSERT INTO program_terms (program_id, version, text, created_by) VALUES ($1, $2, $3, $4) RETURNING created_at`,
);

export const PROGRAM_TERMS_LIST = statement<{ version: number; text: string; created_at: Date }>(
  'program_terms_list',
  `SELECT version, text, created_at FROM program_terms WHERE program_id = $1 ORDER BY version`,
);

export const PROGRAM_TERMS_VERSION = statement<{ text: string; created_at: Date }>(
  'program_terms_version',
  `SELECT text, created_at FROM program_terms WHERE program_id = $1 AND version = $2`,
);

/** Which of the schools $1 exist. */
export const PROGRAM_KNOWN_SCHOOLS = statement<{ id: string }>('program_known_schools', `SELECT id FROM schools WHERE id = ANY($1::uuid[])`);

export const PROGRAM_QUOTAS = statement<{ school_id: string; quota: number }>(
  'program_quotas',
  `SELECT school_id, quota FROM program_quotas WHERE program_id = $1 ORDER BY school_id`,
);

export const PROGRAM_QUOTAS_CLEAR = statement('program_quotas_clear', `DELETE FROM program_quotas WHERE program_id = $1`);

/** $2 schools and $3 quotas, pairwise. */
export const PROGRAM_QUOTAS_INSERT = statement(
  'program_quotas_insert',
  `INSERT INTO program_quotas (program_id, school_id, quota) SELECT $1, s, q FROM unnest($2::uuid[], $3::int[]) AS t(s, q)`,
);
