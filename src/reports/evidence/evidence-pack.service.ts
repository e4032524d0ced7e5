import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditChainExport, type ChainHead } from '../../audit/audit-chain-export.js';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditService } from '../../audit/audit.service.js';
import type { AuditVerificationResponse } from '../../audit/dto/audit.dto.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { notFound } from '../../common/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { agreementQrPayload } from '../../loans/agreement/agreement-number.js';
import { StudentAccessLog } from '../../students/privacy/student-access-log.js';
import { ActivityReportService, activityTable } from '../activity-report.service.js';
import { CoverageService, coverageTable } from '../coverage.service.js';
import { LossesReportService, lossesTable } from '../losses-report.service.js';
import { OverdueReportService, overdueTable } from '../overdue-report.service.js';
import { type CsvTable, renderCsv } from '../report-output.js';
import { REPORT_SCHOOL_HEADING } from '../report-lookups.queries.js';
import { ReportReader } from '../report-reader.js';
import { ReportScope } from '../report-scope.js';
import { StockReportService, stockTable } from '../stock-report.service.js';
import { SummaryService } from '../summary/summary.service.js';
import type { EvidencePackQuery } from './evidence-pack.dto.js';
import { AGREEMENT_COLUMNS, agreementRegister, CHARGE_COLUMNS, chargesLedger } from './evidence-registers.js';
import { EVIDENCE_PROGRAM, type EvidenceProgram } from './evidence.queries.js';
import { evidenceReadme } from './evidence-readme.js';
import { ManifestedZip } from './manifested-zip.js';

export const EVIDENCE_PACK_FORMAT = 'laptop-loans-evidence-pack/1';

export interface EvidencePack {
  fileName: string;
  stream: Readable;
}

/**
 * The evidence pack (docs/evidence-pack.md): for a program, optionally one school, a ZIP with the
 * summary PDF, every report as CSV, the agreement register, the charges ledger, the audit chain's
 * head and verification at this moment, the chain segment to re-verify offline, and a manifest of
 * SHA-256 digests. Everything that can fail is done before the first byte is sent; only the chain
 * segment, read from sealed (immutable) blocks, streams afterwards.
 */
@Injectable()
export class EvidencePackService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: ReportScope,
    private readonly reader: ReportReader,
    private readonly clock: Clock,
    private readonly coverage: CoverageService,
    private readonly stock: StockReportService,
    private readonly overdue: OverdueReportService,
    private readonly losses: LossesReportService,
    private readonly activity: ActivityReportService,
    private readonly summary: SummaryService,
    private readonly auditService: AuditService,
    private readonly chain: AuditChainExport,
    private readonly audit: AuditLog,
    private readonly transactions: Transactions,
    private readonly accessLog: StudentAccessLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, query: EvidencePackQuery): Promise<EvidencePack> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const [program] = await runStatement(this.dataSource.manager, EVIDENCE_PROGRAM, [query.programId]);
    if (!program) throw notFound('program_not_found');
    const [school] = schoolId ? await runStatement(this.dataSource.manager, REPORT_SCHOOL_HEADING, [schoolId]) : [];
    const createdAt = this.clock.now();
    const asOf = this.clock.today();
    const packId = randomUUID();

    const reports = await this.reports(actor, program, schoolId ?? undefined, asOf);
    const summary = await this.summary.pdf(actor, { programId: program.id, schoolId: schoolId ?? undefined });
    const verifyUrl = (n: string) => agreementQrPayload(this.config.publicBaseUrl, n, this.config.verifyLinkSecret);
    const [agreements, charges] = await this.reader.for(actor).read(async (db) => [await agreementRegister(db, program.id, schoolId, verifyUrl), await chargesLedger(db, program.id, schoolId)] as const);

    // The chain as it stands now: sealed up to the head, verified, and the segment to re-check.
    const verification = await this.auditService.verify();
    const head = verification.headHash ? await this.chain.block(verification.headHash) : null;
    const firstBlock = (await this.chain.firstBlockAbout('program', program.id)) ?? (head ? head.blockNo + 1 : 1);
    const segment = { fromBlock: firstBlock, toBlock: head?.blockNo ?? 0, contentScope: schoolId ? { schoolId } : 'all' };

    // The pack's creation is itself audited, before the first byte goes out.
    await this.transactions.run(undefined, (tx) =>
      this.audit.record(tx, actor, {
        action: 'report.evidence_pack_created',
        entityType: 'program',
        entityId: program.id,
        schoolId,
        after: { packId, schoolId, headBlock: head?.blockNo ?? null, headHash: head?.hash ?? null, chainValid: verification.valid, agreements: agreements.length, charges: charges.length },
      }),
    );
    const students = new Map<string, string>();
    for (const r of [...agreements, ...charges]) students.set(String(r.studentId), r.schoolId);
    this.accessLog.record(actor, 'report.evidence-pack', [...students].map(([id, school]) => ({ id, schoolId: school })));

    const zip = new ManifestedZip(createdAt);
    const parameters = { programId: program.id, schoolId, asOf };
    zip.addBuffer('README.txt', evidenceReadme({ program, school: school ?? null, asOf, head }));
    zip.addBuffer(
      'pack.json',
      json({
        format: EVIDENCE_PACK_FORMAT,
        packId,
        createdAt: createdAt.toISOString(),
        createdBy: { kind: actor.kind, id: actor.id, role: actor.role },
        asOf,
        program: { id: program.id, code: program.code, name: program.name },
        school: school ?? null,
        counts: { agreements: agreements.length, charges: charges.length },
      }),
    );
    zip.addBuffer('summary.pdf', summary.content);
    for (const table of reports) zip.addBuffer(`reports/${table.name}.csv`, renderCsv(reportParameters(table), table));
    zip.addBuffer('registers/agreements.csv', renderCsv(parameters, { name: 'agreements', columns: AGREEMENT_COLUMNS, rows: agreements }));
    zip.addBuffer('registers/charges.csv', renderCsv(parameters, { name: 'charges', columns: CHARGE_COLUMNS, rows: charges }));
    zip.addBuffer('audit/chain-head.json', json(chainHeadFile(head, verification, segment)));
    zip.addLines('audit/segment.ndjson', this.segmentLines(segment.fromBlock, segment.toBlock, schoolId));
    void zip.finish();
    const fileName = `evidence-pack-${program.code}-${asOf}${school ? `-${school.npsn}` : ''}.zip`;
    return { fileName, stream: zip.output };
  }

  /** Every report as the CSV its own endpoint answers, for the pack's scope. */
  private async reports(actor: Actor, program: EvidenceProgram, schoolId: string | undefined, asOf: string): Promise<(CsvTable & { parameters: object })[]> {
    // Losses and activity over the program's life so far.
    const to = program.ends_on < asOf ? program.ends_on : asOf;
    const from = program.starts_on <= to ? program.starts_on : to;
    const range = { from: from < '1900-01-01' ? '1900-01-01' : from, to };
    const coverage = await this.coverage.report(actor, { programId: program.id, schoolId });
    const stock = await this.stock.report(actor, { schoolId });
    const overdue = await this.overdue.report(actor, { programId: program.id, schoolId });
    const losses = await this.losses.report(actor, { schoolId, ...range });
    const activity = await this.activity.report(actor, { schoolId, ...range });
    const withParameters = (table: CsvTable, parameters: object) => ({ ...table, parameters });
    return [
      withParameters(coverageTable(coverage), coverage.parameters),
      withParameters(stockTable(stock, 'batches'), stock.parameters),
      withParameters(stockTable(stock, 'schools'), stock.parameters),
      withParameters(stockTable(stock, 'mismatches'), stock.parameters),
      withParameters(overdueTable(overdue, 'loans'), overdue.parameters),
      withParameters(overdueTable(overdue, 'schools'), overdue.parameters),
      withParameters(lossesTable(losses), losses.parameters),
      withParameters(activityTable(activity), activity.parameters),
    ];
  }

  /** One JSON line per sealed block, with its events (docs/evidence-pack.md, "The chain segment"). */
  private async *segmentLines(from: number, to: number, schoolId: string | null): AsyncGenerator<string> {
    for await (const block of this.chain.segment(from, to, schoolId)) yield JSON.stringify(block) + '\n';
  }
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
const reportParameters = (table: { parameters: object }) => table.parameters;

function chainHeadFile(head: ChainHead | null, verification: AuditVerificationResponse, segment: { fromBlock: number; toBlock: number; contentScope: unknown }) {
  return {
    head,
    verification,
    segment: { ...segment, blocks: Math.max(0, segment.toBlock - segment.fromBlock + 1) },
    howToVerify: 'sha256sum -c MANIFEST.sha256 && node verify-evidence-pack.mjs <this folder> (docs/evidence-pack.md)',
  };
}

