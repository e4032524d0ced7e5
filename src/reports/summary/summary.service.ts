import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { notFound } from '../../common/errors.js';
import { CoverageService } from '../coverage.service.js';
import type { SummaryQuery } from '../dto/summary.dto.js';
import { LossesReportService } from '../losses-report.service.js';
import { OverdueReportService } from '../overdue-report.service.js';
import { REPORT_PROGRAM_CURRENT, REPORT_PROGRAM_HEADING, REPORT_SCHOOL_HEADING, type ReportProgramHeading } from '../report-lookups.queries.js';
import { type ReportDb, ReportReader, type ReportSnapshot } from '../report-reader.js';
import { ReportScope } from '../report-scope.js';
import { StockReportService } from '../stock-report.service.js';
import type { SummaryDocument } from './summary-pdf.js';

export interface SummaryFile {
  fileName: string;
  content: Buffer;
}

/**
 * The printable summary for an audit visit: the same figures the JSON reports give (it calls
 * them, so the paper and the API cannot disagree), laid out by summary-pdf.ts.
 */
@Injectable()
export class SummaryService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
    private readonly coverage: CoverageService,
    private readonly stock: StockReportService,
    private readonly overdue: OverdueReportService,
    private readonly losses: LossesReportService,
  ) {}

  async pdf(actor: Actor, query: SummaryQuery): Promise<SummaryFile> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const document = await this.reader.for(actor).read((db) => this.gather(db, actor, schoolId, query.programId));
    const scopeName = document.scope.npsn ?? 'kota';
    // The PDF libraries load with the first document drawn, not at start-up (docs/decisions.md 88).
    const { renderSummaryPdf } = await import('./summary-pdf.js');
    return { fileName: `ringkasan-${scopeName}-${document.asOf}.pdf`, content: await renderSummaryPdf(document) };
  }

  /** Every figure from one snapshot, so the printed tables agree with each other. */
  private async gather(db: ReportSnapshot, actor: Actor, schoolId: string | null, programId: string | undefined): Promise<SummaryDocument> {
    const asOf = this.clock.today();
    const program = await this.program(db, programId, asOf);
    const school = schoolId ? (await db.run(REPORT_SCHOOL_HEADING, [schoolId]))[0] : null;
    const stock = await this.stock.compute(db, actor, schoolId);
    const overdue = await this.overdue.schools(db, schoolId, null, asOf);
    const losses = await this.losses.rows(db, schoolId, null);
    const coverage = program ? await this.coverage.compute(db, program.id, schoolId) : null;

    const lossesBySchool = new Map<string, SummaryDocument['losses'][number]>();
    for (const r of losses) {
      const row = lossesBySchool.get(r.schoolId) ?? { school: r.schoolName, lost: 0, stolen: 0, charges: 0, charged: 0, paid: 0, waived: 0, open: 0 };
      row.lost += r.lost;
      row.stolen += r.stolen;
      row.charges += r.charges;
      row.charged += r.chargedAmount;
      row.paid += r.paidAmount;
      row.waived += r.waivedAmount;
      row.open += r.openAmount;
      lossesBySchool.set(r.schoolId, row);
    }
    const coverageBySchool = new Map<string, { school: string; eligible: number; served: number }>();
    for (const r of coverage?.items ?? []) {
      const row = coverageBySchool.get(r.schoolId) ?? { school: r.schoolName, eligible: 0, served: 0 };
      row.eligible += r.eligible;
      row.served += r.served;
      coverageBySchool.set(r.schoolId, row);
    }

    return {
      scope: { schoolName: school?.name ?? null, npsn: school?.npsn ?? null },
      asOf,
      generatedAt: this.clock.now(),
      stock: stock.schools.map((r) => ({ ...r, location: r.schoolName })),
      mismatches: stock.mismatches.length,
      loans: overdue.map((r) => ({
        school: r.schoolName,
        active: r.activeLoans,
        overdue: r.overdueLoans,
        maxDays: r.maxDaysOverdue,
        upTo7: r.overdue1To7Days,
        upTo30: r.overdue8To30Days,
        over30: r.overdueOver30Days,
        escalated: r.escalated,
      })),
      losses: [...lossesBySchool.values()],
      coverage: program ? { program, schools: [...coverageBySchool.values()] } : null,
    };
  }

  /** The program asked for, or the latest one running today, or the latest one started. */
  private async program(db: ReportDb, programId: string | undefined, today: string): Promise<ReportProgramHeading | null> {
    if (programId) {
      const rows = await db.run(REPORT_PROGRAM_HEADING, [programId]);
      if (rows.length === 0) throw notFound('program_not_found');
      return rows[0];
    }
    const rows = await db.run(REPORT_PROGRAM_CURRENT, [today]);
    return rows[0] ?? null;
  }
}
