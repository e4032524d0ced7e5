import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { StockService } from '../devices/stock.service.js';
import type { BatchStockRow, SchoolStockRow, StockMismatch, StockReconciliationQuery, StockReconciliationReport } from './dto/stock-report.dto.js';
import type { CsvTable } from './report-output.js';
import { ReportReader, type ReportSnapshot } from './report-reader.js';
import { ReportScope } from './report-scope.js';
import { STOCK_LOCATIONS, STOCK_MISMATCHES } from './stock-report.queries.js';

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
    private readonly stock: StockService,
  ) {}

  async report(actor: Actor, query: StockReconciliationQuery): Promise<StockReconciliationReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    return this.reader.for(actor).read((db) => this.compute(db, actor, schoolId));
  }

  /** For a resolved scope, inside a report's snapshot. */
  async compute(db: ReportSnapshot, actor: Actor, schoolId: string | null): Promise<StockReconciliationReport> {
    const batches = schoolId === null ? await this.batches(db, actor) : [];
    const schools = await this.schools(db, actor, schoolId);
    const deviceMismatches = await db.run(STOCK_MISMATCHES, [schoolId]);
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

  private async batches(db: ReportSnapshot, actor: Actor): Promise<BatchStockRow[]> {
    const { items } = await this.stock.reconciliation(actor, db.manager);
    return items.map(({ schoolId: _location, ...row }) => row);
  }

  /** Every school in scope (and the central store city-wide), with zeros where nothing is. */
  private async schools(db: ReportSnapshot, actor: Actor, schoolId: string | null): Promise<SchoolStockRow[]> {
    const counts = await this.stock.counts(actor, { schoolId: schoolId ?? undefined }, db.manager);
    const locations = await db.run(STOCK_LOCATIONS, [schoolId, CENTRAL_STORE]);
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
