import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { StockService } from '../devices/stock.service.js';
import type { BatchStockRow, SchoolStockRow, StockMismatch, StockReconciliationQuery, StockReconciliationReport } from './dto/stock-report.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { ReportScope } from './report-scope.js';

const STATUSES = ['inStock', 'reserved', 'onLoan', 'inRepair', 'lost', 'stolen', 'retired'] as const;
const CENTRAL_STORE = 'Gudang pusat (central store)';

/**
 * Stock reconciliation. The device counts come from StockService (the batch identity and the
 * counts by location the devices screens already show); this adds what a report needs around
 * them: school names, the loans and allocations each location should agree with, and the list
 * of every record that breaks an identity. All of it is read in one snapshot.
 */
@Injectable()
export class StockReportService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: StockReconciliationQuery): Promise<StockReconciliationReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    return this.reader.read((db) => this.compute(db, actor, schoolId));
  }

  /** For a resolved scope, inside a report's snapshot. */
  async compute(db: ReportDb, actor: Actor, schoolId: string | null): Promise<StockReconciliationReport> {
    // StockService reads through the DataSource it is given; given the snapshot's connection
    // (it only calls `query`), its counts are read in the same snapshot as everything below.
    const stock = new StockService(db as DataSource);
    const batches = schoolId === null ? await this.batches(stock, actor) : [];
    const schools = await this.schools(db, stock, actor, schoolId);
    const deviceMismatches: StockMismatch[] = await db.query(mismatchSql(schoolId), schoolId ? [schoolId] : []);
    const batchMismatches: StockMismatch[] = batches
      .filter((b) => b.mismatch)
      .map((b) => ({
        kind: 'batch_count',
        schoolId: null,
        batchId: b.batchId,
        deviceId: null,
        assetTag: null,
        loanId: null,
        applicationId: null,
        detail: `Batch ${b.contractRef}: ${b.bought} bought, ${b.total} registered (difference ${b.difference})`,
      }));
    return {
      parameters: { schoolId, asOf: this.clock.today() },
      batches,
      schools,
      mismatches: [...batchMismatches, ...deviceMismatches],
    };
  }

  private async batches(stock: StockService, actor: Actor): Promise<BatchStockRow[]> {
    const { items } = await stock.reconciliation(actor);
    return items.map(({ schoolId: _location, ...row }) => row);
  }

  /** Every school in scope (and the central store city-wide), with zeros where nothing is. */
  private async schools(db: ReportDb, stock: StockService, actor: Actor, schoolId: string | null): Promise<SchoolStockRow[]> {
    const counts = await stock.counts(actor, { schoolId: schoolId ?? undefined });
    const locations: { schoolId: string | null; schoolName: string; activeLoans: number; allocatedApplications: number }[] = await db.query(
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
      [schoolId, CENTRAL_STORE],
    );
    const byLocation = new Map(counts.items.map((c) => [c.schoolId, c]));
    return locations
      .map((location) => {
        const c = byLocation.get(location.schoolId);
        const statuses = Object.fromEntries(STATUSES.map((s) => [s, c?.[s] ?? 0])) as Record<(typeof STATUSES)[number], number>;
        const mismatch = statuses.onLoan !== location.activeLoans || statuses.reserved !== location.allocatedApplications;
        return { schoolId: location.schoolId, schoolName: location.schoolName, ...statuses, total: c?.total ?? 0, activeLoans: location.activeLoans, allocatedApplications: location.allocatedApplications, mismatch };
      })
      .sort((a, b) => (a.schoolId === null ? -1 : b.schoolId === null ? 1 : a.schoolName.localeCompare(b.schoolName) || a.schoolId.localeCompare(b.schoolId)));
  }
}

/** The columns every mismatch row starts with after its kind: where it is and which device. */
const device = (school: string) => `${school} AS "schoolId", d.batch_id AS "batchId", d.id AS "deviceId", d.asset_tag AS "assetTag"`;

/**
 * Each device, loan or allocation that disagrees with another, by anti-joins. City-wide each
 * check is one pass over the status it checks. For one school, a check over a pair (a loan or
 * application and its device) is listed when either record is at the school, and each side is
 * reached through its own school index (a UNION of the two), so a school's report does not read
 * the whole city's loans.
 */
function mismatchSql(schoolId: string | null): string {
  const at = (alias: string) => (schoolId ? ` AND ${alias}.school_id = $1` : '');
  const pair = (select: string, from: string, where: string) =>
    schoolId
      ? `SELECT ${select} FROM ${from} WHERE ${where}${at('x')} UNION SELECT ${select} FROM ${from} WHERE ${where}${at('d')}`
      : `SELECT ${select} FROM ${from} WHERE ${where}`;
  return `SELECT * FROM (
      SELECT 'on_loan_without_active_loan' AS kind, ${device('d.school_id')}, NULL::uuid AS "loanId", NULL::uuid AS "applicationId",
             'The device is on loan but no active loan holds it' AS detail
      FROM devices d
      WHERE d.status = 'on_loan'${at('d')} AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active')
      UNION ALL
      SELECT 'reserved_without_allocation', ${device('d.school_id')}, NULL::uuid, NULL::uuid, 'The device is reserved but no allocated application holds it'
      FROM devices d
      WHERE d.status = 'reserved'${at('d')} AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.device_id = d.id AND a.status = 'allocated')
      UNION ALL
      -- Both loan checks in one pass over the active loans and their devices.
      (${pair(
        `k.kind, ${device('x.school_id')}, x.id, NULL::uuid, k.detail`,
        `loans x JOIN devices d ON d.id = x.device_id CROSS JOIN LATERAL (VALUES
           ('active_loan_device_not_on_loan', d.status <> 'on_loan', 'Loan ' || x.agreement_number || ' is active but its device is ' || d.status),
           ('loan_device_elsewhere', d.school_id IS DISTINCT FROM x.school_id,
            'Loan ' || x.agreement_number || ' is active at its school but its device is recorded at '
            || CASE WHEN d.school_id IS NULL THEN 'the central store' ELSE 'another school' END)
         ) k(kind, broken, detail)`,
        `x.status = 'active' AND (d.status <> 'on_loan' OR d.school_id IS DISTINCT FROM x.school_id) AND k.broken`,
      )})
      UNION ALL
      (${pair(
        `'allocated_device_not_reserved', ${device('x.school_id')}, NULL::uuid, x.id, 'The application is allocated but its device is ' || d.status`,
        `applications x JOIN devices d ON d.id = x.device_id`,
        `x.status = 'allocated' AND d.status <> 'reserved'`,
      )})
    ) m ORDER BY kind, "assetTag", "loanId", "applicationId"`;
}

export function stockTable(report: StockReconciliationReport, view: StockReconciliationQuery['view'] = 'batches'): CsvTable {
  switch (view) {
    case 'schools':
      return { name: 'stock-reconciliation-schools', columns: ['schoolId', 'schoolName', ...STATUSES, 'total', 'activeLoans', 'allocatedApplications', 'mismatch'], rows: report.schools };
    case 'mismatches':
      return { name: 'stock-reconciliation-mismatches', columns: ['kind', 'schoolId', 'batchId', 'deviceId', 'assetTag', 'loanId', 'applicationId', 'detail'], rows: report.mismatches };
    default:
      return { name: 'stock-reconciliation-batches', columns: ['batchId', 'contractRef', 'bought', ...STATUSES, 'total', 'difference', 'mismatch'], rows: report.batches };
  }
}
