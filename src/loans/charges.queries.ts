import { statement } from '../database/statements.js';
import type { ChargeRow } from './dto/charge.dto.js';

/*
 * The charges table's statements. Each answers the columns of ChargeRow (the table's columns but
 * created_by and version, which no answer shows).
 */

export const CHARGE_INSERT = statement<ChargeRow>(
  'charge_insert',
  `INSERT INTO charges (loan_id, student_id, school_id, item_code, description, amount, created_by)
   VALUES ($1, $2, $3, $4, $5, $6, $7)
   RETURNING id, loan_id, student_id, school_id, item_code, description, amount, status, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason`,
);

/**
 * A page of charges, newest first: $1 school, $2 student, $3 status, $4 loan (each null for any),
 * $5 and $6 the cursor (the last row's created_at and id, or null for the first page), $7 the
 * number of rows. The cursor keeps created_at to the microsecond (`created_key`): the charges of
 * one return share one transaction's now(), and a JS Date (milliseconds) would skip the rest of
 * them on the next page. Planned per call, so the filters left null fold away.
 */
export const CHARGE_PAGE = statement<ChargeRow & { created_key: string }>(
  'charge_page',
  `SELECT id, loan_id, student_id, school_id, item_code, description, amount, status, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason,
          to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
   FROM charges
   WHERE ($1::uuid IS NULL OR school_id = $1) AND ($2::uuid IS NULL OR student_id = $2)
     AND ($3::text IS NULL OR status = $3) AND ($4::uuid IS NULL OR loan_id = $4)
     AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
   ORDER BY created_at DESC, id DESC LIMIT $7`,
);

/** A charge locked for its settlement. */
export const CHARGE_LOCK = statement<ChargeRow>(
  'charge_lock',
  `SELECT id, loan_id, student_id, school_id, item_code, description, amount, status, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason
   FROM charges WHERE id = $1 FOR UPDATE`,
);

/**
 * Whether charge $1 may be waived by its school (a hardship waiver): its price-list item is
 * marked waivable for social aid and its student has social aid.
 */
export const CHARGE_HARDSHIP_WAIVABLE = statement<{ id: string }>(
  'charge_hardship_waivable',
  `SELECT c.id FROM charges c
   JOIN loans l ON l.id = c.loan_id
   JOIN program_price_items p ON p.program_id = l.program_id AND p.code = c.item_code AND p.waivable_for_social_aid
   JOIN students s ON s.id = c.student_id AND cardinality(s.social_aid) > 0
   WHERE c.id = $1`,
);
