import { Module } from '@nestjs/common';
import { StockService } from '../devices/stock.service.js';
import { ActivityReportService } from './activity-report.service.js';
import { CoverageService } from './coverage.service.js';
import { LossesReportService } from './losses-report.service.js';
import { OverdueReportService } from './overdue-report.service.js';
import { ReportScope } from './report-scope.js';
import { ReportsController } from './reports.controller.js';
import { StockReportService } from './stock-report.service.js';
import { SummaryService } from './summary/summary.service.js';

/**
 * Read models for the education office. StockService is provided here too (it needs only the
 * DataSource) so the reconciliation reuses the devices screens' counts instead of copying them.
 */
@Module({
  controllers: [ReportsController],
  providers: [ReportScope, StockService, CoverageService, StockReportService, OverdueReportService, LossesReportService, ActivityReportService, SummaryService],
})
export class ReportsModule {}
