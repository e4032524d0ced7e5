import { statement } from '../database/statements.js';
import type { LeaverWorkItemResponse, OpenChargeWorkItemResponse, OverdueWorkItemResponse, PickupWorkItemResponse } from './dto/worklist.dto.js';

/**
 * The worklists' SQL (docs/loans.md, "Worklists"). Each query takes the same first parameters:
 * $1 school (null: every school), $2 program (null: every program), $3 the search text (null: no
 * search), $4 today (WIB), then the keyset cursor and the page size. The search matches an exact
 * NISN, agreement number or asset tag, or part of the student's name (the same search is written
 * out in each: a named statement is one literal text). `sort_key` is the cursor's first part where
 * the answer's own field would lose precision (a JS Date keeps milliseconds only).
 */

export type OverdueRow = OverdueWorkItemResponse;
export type LeaverRow = LeaverWorkItemResponse & { sort_key: string };
export type OpenChargeRow = Omit<OpenChargeWorkItemResponse, 'createdAt'> & { createdAt: Date; sort_key: string };
export type PickupRow = Omit<PickupWorkItemResponse, 'allocatedAt'> & { allocatedAt: Date; sort_key: string };

/** Active loans past due, most overdue first, with the highest reminder level reached. */
export const OVERDUE_LOANS = statement<OverdueRow>(
  'worklist_overdue_loans',
  `SELECT l.id AS "loanId", l.agreement_number AS "agreementNumber", l.school_id AS "schoolId", l.program_id AS "programId",
         l.student_id AS "studentId", st.full_name AS "studentName", st.nisn, st.grade, st.class_name AS "className",
         l.guardian_name AS "guardianName", coalesce(l.guardian_phone, st.guardian_phone) AS "guardianPhone",
         l.device_id AS "deviceId", d.asset_tag AS "assetTag", l.due_date::text AS "dueDate", ($4::date - l.due_date) AS "daysOverdue",
         r.level AS "reminderLevel", r.level_days AS "reminderLevelDays", r.status AS "reminderStatus",
         coalesce(r.kind = 'loan.escalation', false) AS escalated, l.action_required AS "actionRequired"
  FROM loans l
  JOIN students st ON st.id = l.student_id
  JOIN devices d ON d.id = l.device_id
  LEFT JOIN LATERAL (SELECT o.level, o.level_days, o.status, o.kind FROM outbox o WHERE o.loan_id = l.id ORDER BY o.level_days DESC LIMIT 1) r ON true
  WHERE l.status = 'active' AND l.due_date < $4::date
    AND ($1::uuid IS NULL OR l.school_id = $1) AND ($2::uuid IS NULL OR l.program_id = $2)
    AND ($3::text IS NULL OR st.nisn = $3 OR st.full_name ILIKE '%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' OR l.agreement_number = upper($3) OR d.asset_tag = upper($3))
    AND ($5::date IS NULL OR (l.due_date, l.id) > ($5::date, $6::uuid))
  ORDER BY l.due_date, l.id
  LIMIT $7`,
);

/**
 * Active loans of students who left (graduated, transferred, dropped out) or who now study at
 * another school: the device must come back or the loan move. Longest gone first.
 */
export const LEAVERS_HOLDING_DEVICES = statement<LeaverRow>(
  'worklist_leavers_holding_devices',
  `SELECT l.id AS "loanId", l.agreement_number AS "agreementNumber", l.school_id AS "schoolId", l.program_id AS "programId",
         l.student_id AS "studentId", st.full_name AS "studentName", st.nisn, st.enrolment_status AS "enrolmentStatus",
         st.left_at::text AS "leftAt", st.school_id AS "studentSchoolId",
         l.guardian_name AS "guardianName", coalesce(l.guardian_phone, st.guardian_phone) AS "guardianPhone",
         l.device_id AS "deviceId", d.asset_tag AS "assetTag", l.due_date::text AS "dueDate", l.action_required AS "actionRequired",
         ($4::date - st.left_at) AS "daysSinceLeft", coalesce(st.left_at, DATE '9999-12-31')::text AS sort_key
  FROM loans l
  JOIN students st ON st.id = l.student_id
  JOIN devices d ON d.id = l.device_id
  WHERE l.status = 'active' AND (st.enrolment_status <> 'enrolled' OR st.school_id <> l.school_id)
    AND ($1::uuid IS NULL OR l.school_id = $1) AND ($2::uuid IS NULL OR l.program_id = $2)
    AND ($3::text IS NULL OR st.nisn = $3 OR st.full_name ILIKE '%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' OR l.agreement_number = upper($3) OR d.asset_tag = upper($3))
    AND ($5::date IS NULL OR (coalesce(st.left_at, DATE '9999-12-31'), l.id) > ($5::date, $6::uuid))
  ORDER BY coalesce(st.left_at, DATE '9999-12-31'), l.id
  LIMIT $7`,
);

/** Open charges, oldest first (the longest unpaid are chased first). */
export const OPEN_CHARGES = statement<OpenChargeRow>(
  'worklist_open_charges',
  `SELECT c.id AS "chargeId", c.loan_id AS "loanId", l.agreement_number AS "agreementNumber", c.school_id AS "schoolId",
         l.program_id AS "programId", c.student_id AS "studentId", st.full_name AS "studentName", st.nisn,
         st.guardian_phone AS "guardianPhone", c.item_code AS "itemCode", c.description, c.amount::float8 AS amount, c.created_at AS "createdAt",
         ($4::date - (c.created_at AT TIME ZONE INTERVAL '+07:00')::date) AS "daysOpen",
         to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
  FROM charges c
  JOIN loans l ON l.id = c.loan_id
  JOIN students st ON st.id = c.student_id
  JOIN devices d ON d.id = l.device_id
  WHERE c.status = 'open'
    AND ($1::uuid IS NULL OR c.school_id = $1) AND ($2::uuid IS NULL OR l.program_id = $2)
    AND ($3::text IS NULL OR st.nisn = $3 OR st.full_name ILIKE '%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' OR l.agreement_number = upper($3) OR d.asset_tag = upper($3))
    AND ($5::timestamptz IS NULL OR (c.created_at, c.id) > ($5::timestamptz, $6::uuid))
  ORDER BY c.created_at, c.id
  LIMIT $7`,
);

/** Devices the allocation reserved, still waiting for their student to collect them; longest waiting first. */
export const AWAITING_PICKUP = statement<PickupRow>(
  'worklist_awaiting_pickup',
  `SELECT a.id AS "applicationId", a.program_id AS "programId", a.school_id AS "schoolId", a.student_id AS "studentId",
         st.full_name AS "studentName", st.nisn, st.grade, st.class_name AS "className",
         st.guardian_name AS "guardianName", st.guardian_phone AS "guardianPhone",
         a.device_id AS "deviceId", d.asset_tag AS "assetTag", d.serial_number AS "serialNumber", a.priority,
         a.decided_at AS "allocatedAt", ($4::date - (a.decided_at AT TIME ZONE INTERVAL '+07:00')::date) AS "daysWaiting",
         to_char(a.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key
  FROM applications a
  JOIN students st ON st.id = a.student_id
  JOIN devices d ON d.id = a.device_id
  WHERE a.status = 'allocated'
    AND ($1::uuid IS NULL OR a.school_id = $1) AND ($2::uuid IS NULL OR a.program_id = $2)
    AND ($3::text IS NULL OR st.nisn = $3 OR st.full_name ILIKE '%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' OR d.asset_tag = upper($3))
    AND ($5::timestamptz IS NULL OR (a.decided_at, a.id) > ($5::timestamptz, $6::uuid))
  ORDER BY a.decided_at, a.id
  LIMIT $7`,
);
