import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { invalidField } from '../../common/errors.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
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

/** Past this many unwritten entries (the database is down for long), the oldest are dropped and counted. */
const MAX_BUFFERED = 100_000;

/**
 * The log of reads of students' personal data (docs/privacy.md). A read only appends to an
 * in-memory buffer; the buffer is written with one multi-row INSERT every ACCESS_LOG_FLUSH_MS,
 * as soon as ACCESS_LOG_BATCH_SIZE entries wait, and on shutdown. A crash (not a shutdown) loses
 * at most the entries of the current interval.
 */
@Injectable()
export class StudentAccessLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StudentAccessLog.name);
  private buffer: Entry[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.privacy.accessLogFlushMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Notes that `actor` read these students' personal data. Never waits on the database. */
  record(actor: Actor, operation: AccessOperation, students: readonly { id: string; schoolId: string | null }[]): void {
    if (students.length === 0) return;
    const at = this.clock.now();
    for (const s of students) this.buffer.push({ at, actor, studentId: s.id, schoolId: s.schoolId, operation });
    if (this.buffer.length > MAX_BUFFERED) {
      this.dropped += this.buffer.length - MAX_BUFFERED;
      this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    }
    if (this.buffer.length >= this.config.privacy.accessLogBatchSize) void this.flush();
  }

  /** Writes everything buffered so far; concurrent callers share one write. Never throws. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch)
      .catch((error) => {
        // Put the batch back in front; the next flush retries it.
        this.buffer = [...batch, ...this.buffer];
        this.logger.warn({ err: error, entries: batch.length }, 'access log flush failed; will retry');
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
    if (this.dropped > 0) {
      this.logger.error({ dropped: this.dropped }, 'access log entries dropped: the buffer overflowed while the database was unavailable');
      this.dropped = 0;
    }
  }

  private async write(batch: Entry[]): Promise<void> {
    // One statement for the whole batch: column arrays unnested in parallel.
    await this.dataSource.query(
      `INSERT INTO student_access_log (occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[])`,
      [
        batch.map((e) => e.at.toISOString()),
        batch.map((e) => e.actor.kind),
        batch.map((e) => e.actor.id),
        batch.map((e) => e.actor.role),
        batch.map((e) => e.studentId),
        batch.map((e) => e.schoolId),
        batch.map((e) => e.operation),
        batch.map((e) => e.actor.requestId),
      ],
    );
  }

  /** Auditors and program administrators: who read whose data, oldest first within the range. */
  async list(actor: Actor, query: AccessLogQuery): Promise<Page<AccessLogEntryResponse>> {
    assertRole(actor, ['auditor', 'program_admin']);
    if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) throw invalidField('from', 'from_after_to');
    const limit = query.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.studentId) add('student_id = ?', query.studentId);
    if (query.from) add('occurred_at >= ?', query.from);
    if (query.to) add('occurred_at < ?', query.to);
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) {
      params.push(cursor[0], cursor[1]);
      where.push(`(occurred_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(limit + 1);
    const rows: AccessRow[] = await this.dataSource.query(
      `SELECT id::text, occurred_at, actor_type, actor_id, actor_role, student_id, school_id, operation, request_id
       FROM student_access_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY occurred_at, id LIMIT $${params.length}`,
      params,
    );
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
