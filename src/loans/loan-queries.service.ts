import { Injectable } from '@nestjs/common';
import { csvCell } from '../common/csv-output.js';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { assertSchoolAccess, readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { answerLanguage } from '../common/request-context.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { type LoanQuery, type LoanResponse, toLoanResponse } from './dto/loan.dto.js';
import { LOAN_COLUMNS } from './loan-columns.js';
import { Loan } from './loan.entity.js';
import { prepared, runStatement } from '../database/statements.js';
import { ReadReplica } from '../database/read-replica.js';
import { StudentAccessLog } from '../students/privacy/student-access-log.js';
import { actorOfTokenUser, type Caller } from '../auth/caller-check.js';

const CSV_COLUMNS = ['agreementNumber', 'status', 'overdue', 'schoolId', 'programId', 'studentId', 'deviceId', 'issuedAt', 'dueDate', 'termsVersion', 'extensions', 'actionRequired', 'closedAt'] as const;
const CSV_BATCH = 2000;

// The most frequent read (a school scanning an agreement or checking one loan): a prepared
// statement straight into the entity's shape, without the query builder's per-call work (a fifth
// of this route's CPU in the benchmark profile, docs/benchmarks.md).
export const LOAN_BY_ID = prepared<Loan>(
  'loan_by_id',
  `SELECT ${LOAN_COLUMNS} FROM loans WHERE id = $1`,
);

/** Finding loans: filtered lists (also a student's or a device's history), one loan, CSV export. */
@Injectable()
export class LoanQueriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly sources: ReadReplica,
    private readonly accessLog: StudentAccessLog,
  ) {}

  async list(actor: Actor, query: LoanQuery): Promise<Page<LoanResponse>> {
    const limit = query.limit ?? 50;
    const rows = await this.page(actor, query, decodeCursor(query.cursor, 2), limit + 1);
    const today = this.clock.today();
    const language = answerLanguage(actor);
    // A loan carries the guardian who signed (name, phone): a read of the student's personal data.
    this.accessLog.record(actor, 'loan.list', rows.slice(0, limit).map((l) => ({ id: l.studentId, schoolId: l.schoolId })));
    return toPage(rows, limit, (l) => [l.issuedAt.toISOString(), l.id], (l) => toLoanResponse(l, today, language));
  }

  async get(caller: Caller, id: string): Promise<LoanResponse> {
    if (caller.kind === 'token') return this.getInOneRoundTrip(caller, id);
    const actor = caller;
    const [loan] = await runStatement(this.dataSource.manager, LOAN_BY_ID, [id]);
    if (!loan) throw notFound('loan_not_found');
    assertSchoolAccess(actor, loan.schoolId, 'read', 'loan_not_found');
    this.accessLog.record(actor, 'loan.get', [{ id: loan.studentId, schoolId: loan.schoolId }]);
    return toLoanResponse(loan, this.clock.today(), answerLanguage(actor));
  }

  /**
   * A bearer token's read: the caller's row, the loan and its access-log row in one statement
   * (decision 71), then the same decisions in the same order as the guard and `get` make them:
   * 401 for the caller, 404 for a missing loan or another school's.
   */
  private async getInOneRoundTrip(caller: Extract<Caller, { kind: 'token' }>, id: string): Promise<LoanResponse> {
    const { user, loan: row } = await this.accessLog.readLoanLogged(caller, id);
    const actor = actorOfTokenUser(caller, user);
    if (row.id === null) throw notFound('loan_not_found');
    const loan = row as Loan;
    assertSchoolAccess(actor, loan.schoolId, 'read', 'loan_not_found');
    // The statement logs under the same conditions; never answer a read that left no trace.
    if (row.logged !== 1) throw new Error(`loan read ${id} answered by the checks but not logged (${row.logged} rows)`);
    return toLoanResponse(loan, this.clock.today(), answerLanguage(actor));
  }

  /** Every matching loan as CSV, fetched in keyset batches so a large export is never held whole. */
  async exportCsv(actor: Actor, requested: LoanQuery): Promise<Readable> {
    // Scoping is decided before the first byte is sent: another school's filter is a 404, not a
    // 200 whose stream is cut off after the header line.
    const query = { ...requested, schoolId: readableSchoolFilter(actor, requested.schoolId) };
    const today = this.clock.today();
    const language = answerLanguage(actor);
    // An export is a report: it reads the streaming replica when one is set and current enough.
    const { dataSource } = await this.sources.choose(actor.request);
    const self = this;
    return Readable.from(
      (async function* () {
        yield CSV_COLUMNS.join(',') + '\n';
        let cursor: (string | number)[] | undefined;
        for (;;) {
          const rows = await self.page(actor, query, cursor, CSV_BATCH, dataSource);
          self.accessLog.record(actor, 'loan.csv', rows.map((l) => ({ id: l.studentId, schoolId: l.schoolId })));
          for (const loan of rows) {
            const r = toLoanResponse(loan, today, language);
            yield CSV_COLUMNS.map((c) => csvCell(r[c])).join(',') + '\n';
          }
          if (rows.length < CSV_BATCH) return;
          const last = rows[rows.length - 1];
          cursor = [last.issuedAt.toISOString(), last.id];
        }
      })(),
    );
  }

  private page(actor: Actor, query: LoanQuery, cursor: (string | number)[] | undefined, take: number, dataSource = this.dataSource): Promise<Loan[]> {
    const qb = dataSource.getRepository(Loan).createQueryBuilder('l');
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) qb.andWhere('l.school_id = :schoolId', { schoolId });
    if (query.programId) qb.andWhere('l.program_id = :programId', { programId: query.programId });
    if (query.status) qb.andWhere('l.status = :status', { status: query.status });
    if (query.studentId) qb.andWhere('l.student_id = :studentId', { studentId: query.studentId });
    if (query.deviceId) qb.andWhere('l.device_id = :deviceId', { deviceId: query.deviceId });
    if (query.dueFrom) qb.andWhere('l.due_date >= :dueFrom', { dueFrom: query.dueFrom });
    if (query.dueTo) qb.andWhere('l.due_date <= :dueTo', { dueTo: query.dueTo });
    if (query.overdue !== undefined) {
      qb.andWhere(query.overdue ? `l.status = 'active' AND l.due_date < :today` : `NOT (l.status = 'active' AND l.due_date < :today)`, { today: this.clock.today() });
    }
    // Newest first: the latest issues are what a school looks for.
    if (cursor) qb.andWhere('(l.issued_at, l.id) < (:at, :id)', { at: cursor[0], id: cursor[1] });
    return qb.orderBy('l.issued_at', 'DESC').addOrderBy('l.id', 'DESC').limit(take).getMany();
  }
}
