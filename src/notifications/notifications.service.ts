import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { StudentAccessLog } from '../students/privacy/student-access-log.js';
import { type NotificationQuery, type NotificationResponse, type NotificationRow, toNotificationResponse } from './dto/notification.dto.js';

/** Reading the outbox: what was written, what is still queued, what was sent or given up. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: StudentAccessLog,
  ) {}

  async list(actor: Actor, query: NotificationQuery): Promise<Page<NotificationResponse>> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [];
    const where: string[] = [];
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) where.push(`school_id = $${params.push(schoolId)}`);
    if (query.status) where.push(`status = $${params.push(query.status)}`);
    if (query.loanId) where.push(`loan_id = $${params.push(query.loanId)}`);
    if (query.level) where.push(`level = $${params.push(query.level)}`);
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) where.push(`(created_at, id) < ($${params.push(cursor[0])}::timestamptz, $${params.push(cursor[1])}::uuid)`);
    const rows: NotificationRow[] = await this.dataSource.query(
      `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
    // A notification names its recipient (the guardian's phone): a read of the student's data.
    const shown = rows.slice(0, limit).map((r) => r.loan_id).filter((id): id is string => !!id);
    if (shown.length) {
      const students: { student_id: string; school_id: string }[] = await this.dataSource.query(`SELECT student_id, school_id FROM loans WHERE id = ANY($1::uuid[])`, [shown]);
      this.accessLog.record(actor, 'notification.list', students.map((s) => ({ id: s.student_id, schoolId: s.school_id })));
    }
    return toPage(rows, limit, (r) => [r.created_at.toISOString(), r.id], toNotificationResponse);
  }
}
