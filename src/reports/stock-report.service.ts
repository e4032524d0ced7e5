import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { StockService } from '../devices/stock.service.js';
import type { BatchStockRow, SchoolStockRow, StockMismatch, StockReconciliationQuery, StockReconciliationReport } from './dto/stock-report.dto.js';
import type { CsvTable } from './report-output.js';
import { ReportScope } from './report-scope.js';

const STATUSES = ['inStock', 'reserved', 'onLoan', 'inRepair', 'lost', 'stolen', 'retired'] as const;
const CENTRAL_STORE = 'Gudang pusat (central store)';

/**
 * Stock reconciliation. The device counts come from StockService (the batch identity and the
 * counts by location the devices screens already show); this adds what a report needs around
 * them: school names, the loans and allocations each location should agree with, and the list
 * of every record that breaks an identity.
 */
@Injectable()
export class StockReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockService,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: StockReconciliationQuery): Promise<StockReconciliationReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const [batches, schools, deviceMismatches] = await Promise.all([
      schoolId === null ? this.batches(actor) : Promise.resolve([]),
      this.schools(actor, schoolId),
      this.deviceMismatches(schoolId),
    ]);
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

  private async batches(actor: Actor): Promise<BatchStockRow[]> {
    const { items } = await this.stock.reconciliation(actor);
    return items.map(({ schoolId: _location, ...row }) => row);
  }

  /** Every school in scope (and the central store city-wide), with zeros where nothing is. */
  private async schools(actor: Actor, schoolId: string | null): Promise<SchoolStockRow[]> {
    const [counts, locations] = await Promise.all([
      this.stock.counts(actor, { schoolId: schoolId ?? undefined }),
      this.dataSource.query(
        `SELECT sc.id AS "schoolId", sc.name AS "schoolName",
                (SELECT count(*) FROM loans l WHERE l.school_id = sc.id AND l.status = 'active')::int AS "activeLoans",
                (SELECT count(*) FROM applications a JOIN devices d ON d.id = a.device_id
                  WHERE a.status = 'allocated' AND d.school_id = sc.id)::int AS "allocatedApplications"
         FROM schools sc WHERE $1::uuid IS NULL OR sc.id = $1
         UNION ALL
         SELECT NULL, $2, 0,
                (SELECT count(*) FROM applications a JOIN devices d ON d.id = a.device_id
                  WHERE a.status = 'allocated' AND d.school_id IS NULL)::int
         WHERE $1::uuid IS NULL
         ORDER BY 1 NULLS FIRST`,
        [schoolId, CENTRAL_STORE],
      ) as Promise<{ schoolId: string | null; schoolName: string; activeLoans: number; allocatedApplications: number }[]>,
    ]);
    const byLocation = new Map(counts.items.map((c) => [c.schoolId, c]));
    return locations
      .map((location) => {
        const c = byLocation.get(location.schoolId);
        const statuses = Object.fromEntries(STATUSES.map((s) => [s, c?.[s] ?? 0])) as Record<(typeof STATUSES)[number], number>;
        const row = { schoolId: location.schoolId, schoolName: location.schoolName, ...statuses, total: c?.total ?? 0, activeLoans: location.activeLoans, allocatedApplications: location.allocatedApplications };
        return { ...row, mismatch: row.onLoan !== row.activeLoans || row.reserved !== row.allocatedApplications };
      })
      .sort((a, b) => (a.schoolId === null ? -1 : b.schoolId === null ? 1 : a.schoolName.localeCompare(b.schoolName) || a.schoolId.localeCompare(b.schoolId)));
  }

  /**
   * Each device, loan or allocation that disagrees with another, found with anti-joins (each uses
   * an index: loans_one_active_per_device, applications_one_per_device_idx, devices_school_status_idx).
   * A device or loan at the school in scope is listed when either side of the pair is there.
   */
  private deviceMismatches(schoolId: string | null): Promise<StockMismatch[]> {
    return this.dataSource.query(
      `SELECT * FROM (
         SELECT 'on_loan_without_active_loan' AS kind, d.school_id AS "schoolId", d.batch_id AS "batchId", d.id AS "deviceId", d.asset_tag AS "assetTag",
                NULL::uuid AS "loanId", NULL::uuid AS "applicationId", 'The device is on loan but no active loan holds it' AS detail
         FROM devices d
         WHERE d.status = 'on_loan' AND ($1::uuid IS NULL OR d.school_id = $1)
           AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active')
         UNION ALL
         SELECT 'active_loan_device_not_on_loan', l.school_id, d.batch_id, d.id, d.asset_tag, l.id, NULL,
                'Loan ' || l.agreement_number || ' is active but its device is ' || d.status
         FROM loans l JOIN devices d ON d.id = l.device_id
         WHERE l.status = 'active' AND d.status <> 'on_loan' AND ($1::uuid IS NULL OR l.school_id = $1 OR d.school_id = $1)
         UNION ALL
         SELECT 'loan_device_elsewhere', l.school_id, d.batch_id, d.id, d.asset_tag, l.id, NULL,
                'Loan ' || l.agreement_number || ' is active at its school but its device is recorded at '
                || CASE WHEN d.school_id IS NULL THEN 'the central store' ELSE 'another school' END
         FROM loans l JOIN devices d ON d.id = l.device_id
         WHERE l.status = 'active' AND d.school_id IS DISTINCT FROM l.school_id AND ($1::uuid IS NULL OR l.school_id = $1 OR d.school_id = $1)
         UNION ALL
         SELECT 'reserved_without_allocation', d.school_id, d.batch_id, d.id, d.asset_tag, NULL, NULL,
                'The device is reserved but no allocated application holds it'
         FROM devices d
         WHERE d.status = 'reserved' AND ($1::uuid IS NULL OR d.school_id = $1)
           AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.device_id = d.id AND a.status = 'allocated')
         UNION ALL
         SELECT 'allocated_device_not_reserved', a.school_id, d.batch_id, d.id, d.asset_tag, NULL, a.id,
                'The application is allocated but its device is ' || d.status
         FROM applications a JOIN devices d ON d.id = a.device_id
         WHERE a.status = 'allocated' AND d.status <> 'reserved' AND ($1::uuid IS NULL OR a.school_id = $1 OR d.school_id = $1)
       ) m ORDER BY kind, "assetTag"`,
      [schoolId],
    );
  }
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
