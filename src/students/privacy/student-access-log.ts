import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { invalidField } from '../../common/errors.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { prepared, runStatement, statement } from '../../database/statements.js';
import { LOAN_COLUMNS } from '../../loans/loan-columns.js';
import type { TokenCaller, TokenUserRow } from '../../auth/caller-check.js';
import type { Loan } from '../../loans/loan.entity.js';
import type { AccessLogEntryResponse, AccessLogQuery } from './dto/privacy.dto.js';

/** Which read it was: `student.get`, `student.list`, `student.data-export`, `loan.agreement-pdf`, ... */
export type AccessOperation =
  | 'student.get'
  | 'student.list'
  | 'student.data-export'
  | 'loan.agreement-pdf'
  | 'loan.guardian-signature'
  | 'loan.return-receipt-pdf'
  | 'worklist.overdue'
  | 'worklist.leavers'
  | 'worklist.open-charges'
  | 'worklist.awaiting-pickup'
  | 'report.evidence-pack'
  | 'loan.get'
  | 'loan.list'
  | 'loan.csv'
  | 'notification.list'
  | 'report.duplicate-beneficiaries';

interface Entry {
  at: Date;
  actor: Actor;
  studentId: string;
  schoolId: string | null;
  operation: AccessOperation;
}

/** LOAN_READ_LOGGED's row: the caller's user row (null fields when there is none) and the loan (null fields when none). */
type LoggedLoanRead = { [K in keyof TokenUserRow as `caller_${K}`]: TokenUserRow[K] | null } & { [K in keyof Loan]: Loan[K] | null } & { logged: number };

/**
 * A loan read by a bearer token in one round trip (decision 71): the caller's user row (as the
 * guard's USER_BY_ID reads it), the loan (as LOAN_BY_ID reads it), and the access-log row for the
 * read, inserted only when the read will be answered: the caller passes `actorOfTokenUser` ($4 is
 * the token's credentials version) and may see the loan's school (`assertSchoolAccess` for
 * 'read': a school administrator sees their own school only). The caller decides with those same
 * functions on the returned row and refuses to answer when `logged` is not 1. One statement
 * outside a transaction: its insert is committed before the answer is sent (decision 42).
 * $1 user id, $2 token id, $3 loan id, $4 credentials version, $5 time, $6 request id.
 */
export const LOAN_READ_LOGGED = prepared<LoggedLoanRead>(
  'loan_read_logged',
  `WITH caller AS (SELECT id, role, school_id, active, credentials_version, EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked
                   FROM users WHERE id = $1),
        loan AS (SELECT ${LOAN_COLUMNS} FROM loans WHERE id = $3),
        logged AS (INSERT INTO student_access_log (occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id)
                   SELECT $5::timestamptz, 'user', c.id, c.role, l."studentId", l."schoolId", 'loan.get', $6::text
                   FROM caller c, loan l
                   WHERE c.active AND c.credentials_version = $4::int AND NOT c.revoked
                     AND (c.role <> 'school_admin' OR l."schoolId" = c.school_id)
                   RETURNING 1)
   SELECT c.id AS caller_id, c.role AS caller_role, c.school_id AS caller_school_id, c.active AS caller_active,
          c.credentials_version AS caller_credentials_version, c.revoked AS caller_revoked,
          l.*, (SELECT count(*)::int FROM logged) AS logged
   FROM (SELECT) AS one LEFT JOIN caller c ON true LEFT JOIN loan l ON true`,
);

/** The caller's user row out of a LOAN_READ_LOGGED row, or undefined when there is no such user. */
export function callerOf(row: LoggedLoanRead): TokenUserRow | undefined {
  if (row.caller_id === null) return undefined;
  return {
    id: row.caller_id,
    role: row.caller_role!,
    school_id: row.caller_school_id,
    active: row.caller_active!,
    credentials_version: row.caller_credentials_version!,
    revoked: row.caller_revoked!,
  };
}

/** One statement for a whole batch of entries: column arrays unnested in parallel. */
const ACCESS_LOG_INSERT = statement(
  'access_log_insert',
  `INSERT INTO student_access_log (occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id)
   SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])`,
);

/** A page of the log, oldest first; each filter and the cursor ($5, $6) is left out when null. */
const ACCESS_LOG_PAGE = statement<AccessRow>(
  'access_log_page',
  `SELECT id::text, occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id
   FROM student_access_log
   WHERE ($1::uuid IS NULL OR actor_id = $1) AND ($2::uuid IS NULL OR student_id = $2)
     AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)
     AND ($5::timestamptz IS NULL OR (occurred_at, id) > ($5::timestamptz, $6::bigint))
   ORDER BY occurred_at, id LIMIT $7`,
);

/**
 * The log of reads of students' personal data (docs/privacy.md). Each `record()` writes its rows
 * at once (one multi-row INSERT), and the answer that carries the data is not sent until that
 * write has committed: the answer hooks (answer-hooks.ts) wait for the request's writes, and turn
 * a failed one into a 503 instead of releasing data that left no trace. A replica killed at any moment
 * therefore loses no entry for data it sent. Outside a request (jobs), the write runs on its own
 * and `flush()` waits for it.
 */
@Injectable()
export class StudentAccessLog implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StudentAccessLog.name);
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /**
   * A bearer token's loan read in one statement (LOAN_READ_LOGGED, decision 71), for the loans
   * module: the caller's user row (undefined when there is none), the loan's row (null fields
   * when there is none) and how many access-log rows the statement wrote (1 when it will be
   * answered). The caller judges the row with `actorOfTokenUser` and the school check.
   */
  async readLoanLogged(caller: TokenCaller, loanId: string): Promise<{ user: TokenUserRow | undefined; loan: LoggedLoanRead }> {
    const [row] = await runStatement(this.dataSource.manager, LOAN_READ_LOGGED, [
      caller.userId, caller.tokenId, loanId, caller.credentialsVersion, this.clock.now(), caller.requestId,
    ]);
    return { user: callerOf(row), loan: row };
  }

  /**
   * Notes that `actor` read these students' personal data. The request's answer waits for the
   * write; a write started after the answer (a streamed export's later batches) runs in the
   * background, and `flush` waits for it.
   */
  record(actor: Actor, operation: AccessOperation, students: readonly { id: string; schoolId: string | null }[]): void {
    if (students.length === 0) return;
    const at = this.clock.now();
    const write = this.write(students.map((s) => ({ at, actor, studentId: s.id, schoolId: s.schoolId, operation })));
    const inRequest = actor.request;
    if (inRequest && !inRequest.answered) {
      // Handled here too: a handler that fails after recording never waits for it.
      write.catch(() => undefined);
      inRequest.answerWaitsFor.push(write);
      return;
    }
    const tracked = write
      .catch((error) => this.logger.error({ err: error, entries: students.length }, 'access log write failed outside a request or after its answer'))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** Waits for the writes started outside a request. Never throws. */
  async flush(): Promise<void> {
    await Promise.all([...this.background]);
  }

  private async write(batch: Entry[]): Promise<void> {
    // One statement for the whole batch: column arrays unnested in parallel.
    await runStatement(this.dataSource.manager, ACCESS_LOG_INSERT, [
        batch.map((e) => e.at.toISOString()),
        batch.map((e) => e.actor.kind),
        batch.map((e) => e.actor.id),
        batch.map((e) => e.actor.role),
        batch.map((e) => e.studentId),
        batch.map((e) => e.schoolId),
        batch.map((e) => e.operation),
        batch.map((e) => e.actor.requestId),
    ]);
  }

  /** Auditors and program administrators: who read whose data, oldest first within the range. */
  async list(actor: Actor, query: AccessLogQuery): Promise<Page<AccessLogEntryResponse>> {
    assertRole(actor, ['auditor', 'program_admin']);
    if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) throw invalidField('from', 'from_after_to');
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor, 2);
    const rows = await runStatement(this.dataSource.manager, ACCESS_LOG_PAGE, [
      query.actorId || null, query.studentId || null, query.from || null, query.to || null, cursor?.[0] ?? null, cursor?.[1] ?? null, limit + 1,
    ]);
    return toPage(rows, limit, (r) => [r.occurred_at.toISOString(), r.id], toAccessLogEntry);
  }
}

interface AccessRow {
  id: string;
  occurred_at: Date;
  actor_type: 'user' | 'api_key' | 'system';
  actor_id: string | null;
  actor_role: string;
  student_id: string;
  school_id: string | null;
  operation: string;
  request_id: string | null;
}

export function toAccessLogEntry(r: AccessRow): AccessLogEntryResponse {
  return {
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    studentId: r.student_id,
    schoolId: r.school_id,
    operation: r.operation,
    requestId: r.request_id,
  };
}
