import { statement } from '../database/statements.js';
import type { StockMismatch } from './dto/stock-report.dto.js';

export interface StockLocationRow {
  schoolId: string | null;
  schoolName: string;
  activeLoans: number;
  allocatedApplications: number;
}

/**
 * Every school in scope ($1, or null for the city) with its active loans and the allocated
 * applications whose device is there; city-wide also the central store ($2 its name).
 */
export const STOCK_LOCATIONS = statement<StockLocationRow>(
  'report_stock_locations',
  `WITH active AS (
     SELECT school_id, count(*)::int AS n FROM loans WHERE status = 'active' AND ($1::uuid IS NULL OR school_id = $1) GROUP BY school_id
   ), allocated AS (
     SELECT d.school_id, count(*)::int AS n FROM applications a JOIN devices d ON d.id = a.device_id
     WHERE a.status = 'allocated' AND ($1::uuid IS NULL OR d.school_id = $1) GROUP BY d.school_id
   )
   SELECT sc.id AS "schoolId", sc.name AS "schoolName", coalesce(active.n, 0) AS "activeLoans", coalesce(allocated.n, 0) AS "allocatedApplications"
   FROM schools sc LEFT JOIN active ON active.school_id = sc.id LEFT JOIN allocated ON allocated.school_id = sc.id
   WHERE $1::uuid IS NULL OR sc.id = $1
   UNION ALL
   SELECT NULL, $2, 0, coalesce((SELECT n FROM allocated WHERE school_id IS NULL), 0)
   WHERE $1::uuid IS NULL`,
);

/**
 * Each device, loan or allocation that disagrees with another ($1 the school, or null for the
 * city), by anti-joins. City-wide each check is one pass over the status it checks. For one
 * school, a check over a pair (a loan or application and its device) is listed when either record
 * is at the school, and each side is reached through its own school index (a UNION of the two),
 * so a school's report does not read the whole city's loans. City-wide the second half of each
 * UNION is `NULL IS NOT NULL`: planned per call, it folds away, and the UNION dedups the
 * mismatches found (a handful of rows), not the loans scanned.
 */
export const STOCK_MISMATCHES = statement<StockMismatch>(
  'report_stock_mismatches',
  `SELECT * FROM (
      SELECT 'on_loan_without_active_loan' AS kind, d.school_id AS "schoolId", d.batch_id AS "batchId", d.id AS "deviceId", d.asset_tag AS "assetTag",
             NULL::uuid AS "loanId", NULL::uuid AS "applicationId", 'The device is on loan but no active loan holds it' AS detail
      FROM devices d
      WHERE d.status = 'on_loan' AND ($1::uuid IS NULL OR d.school_id = $1)
        AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active')
      UNION ALL
      SELECT 'reserved_without_allocation', d.school_id, d.batch_id, d.id, d.asset_tag, NULL::uuid, NULL::uuid,
             'The device is reserved but no allocated application holds it'
      FROM devices d
      WHERE d.status = 'reserved' AND ($1::uuid IS NULL OR d.school_id = $1)
        AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.device_id = d.id AND a.status = 'allocated')
      UNION ALL
      -- Both loan checks in one pass over the active loans and their devices.
      (SELECT k.kind, x.school_id, d.batch_id, d.id, d.asset_tag, x.id, NULL::uuid, k.detail
       FROM loans x JOIN devices d ON d.id = x.device_id CROSS JOIN LATERAL (VALUES
         ('active_loan_device_not_on_loan', d.status <> 'on_loan', 'Loan ' || x.agreement_number || ' is active but its device is ' || d.status),
         ('loan_device_elsewhere', d.school_id IS DISTINCT FROM x.school_id,
          'Loan ' || x.agreement_number || ' is active at its school but its device is recorded at '
          || CASE WHEN d.school_id IS NULL THEN 'the central store' ELSE 'another school' END)
       ) k(kind, broken, detail)
       WHERE x.status = 'active' AND (d.status <> 'on_loan' OR d.school_id IS DISTINCT FROM x.school_id) AND k.broken
         AND ($1::uuid IS NULL OR x.school_id = $1)
       UNION
       SELECT k.kind, x.school_id, d.batch_id, d.id, d.asset_tag, x.id, NULL::uuid, k.detail
       FROM loans x JOIN devices d ON d.id = x.device_id CROSS JOIN LATERAL (VALUES
         ('active_loan_device_not_on_loan', d.status <> 'on_loan', 'Loan ' || x.agreement_number || ' is active but its device is ' || d.status),
         ('loan_device_elsewhere', d.school_id IS DISTINCT FROM x.school_id,
          'Loan ' || x.agreement_number || ' is active at its school but its device is recorded at '
          || CASE WHEN d.school_id IS NULL THEN 'the central store' ELSE 'another school' END)
       ) k(kind, broken, detail)
       WHERE x.status = 'active' AND (d.status <> 'on_loan' OR d.school_id IS DISTINCT FROM x.school_id) AND k.broken
         AND $1::uuid IS NOT NULL AND d.school_id = $1)
      UNION ALL
      (SELECT 'allocated_device_not_reserved', x.school_id, d.batch_id, d.id, d.asset_tag, NULL::uuid, x.id, 'The application is allocated but its device is ' || d.status
       FROM applications x JOIN devices d ON d.id = x.device_id
       WHERE x.status = 'allocated' AND d.status <> 'reserved' AND ($1::uuid IS NULL OR x.school_id = $1)
       UNION
       SELECT 'allocated_device_not_reserved', x.school_id, d.batch_id, d.id, d.asset_tag, NULL::uuid, x.id, 'The application is allocated but its device is ' || d.status
       FROM applications x JOIN devices d ON d.id = x.device_id
       WHERE x.status = 'allocated' AND d.status <> 'reserved' AND $1::uuid IS NOT NULL AND d.school_id = $1)
    ) m ORDER BY kind, "assetTag", "loanId", "applicationId"`,
);
