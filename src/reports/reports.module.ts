import { EvidencePackController } from './evidence/evidence-pack.controller.js';
import { EvidencePackService } from './evidence/evidence-pack.service.js';
import { Module } from '@nestjs/common';
import { ActivityReportService } from './activity-report.service.js';
import { CoverageService } from './coverage.service.js';
import { LossesReportService } from './losses-report.service.js';
import { OverdueReportService } from './overdue-report.service.js';
import { ReportReader } from './report-reader.js';
import { ReportScope } from './report-scope.js';
import { ReportsController } from './reports.controller.js';
import { StockReportService } from './stock-report.service.js';
import { SummaryService } from './summary/summary.service.js';
import { ActivityTallyFolder } from './activity-tally-folder.js';
import { DevicesModule } from '../devices/devices.module.js';

/** Read models for the education office: JSON/CSV reports and the printable summary (docs/reports.md). */
@Module({
  imports: [DevicesModule],
  controllers: [ReportsController, EvidencePackController],
  providers: [ReportReader, ReportScope, CoverageService, StockReportService, OverdueReportService, LossesReportService, ActivityReportService, SummaryService, EvidencePackService, ActivityTallyFolder],
})
export class ReportsModule {}
