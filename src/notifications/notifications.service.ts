import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { runStatement } from '../database/statements.js';
import { StudentAccessLog } from '../students/privacy/student-access-log.js';
import { type NotificationQuery, type NotificationResponse, toNotificationResponse } from './dto/notification.dto.js';
import { NOTIFICATION_LOAN_STUDENTS, NOTIFICATIONS_PAGE } from './notifications.queries.js';

/** Reading the outbox: what was written, what is still queued, what was sent or given up. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessLog: StudentAccessLog,
  ) {}

  async list(actor: Actor, query: NotificationQuery): Promise<Page<NotificationResponse>> {
    const limit = query.limit ?? 50;
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const cursor = decodeCursor(query.cursor, 2);
    // An empty filter is no filter.
    const rows = await runStatement(this.dataSource.manager, NOTIFICATIONS_PAGE, [
      schoolId || null,
      query.status || null,
      query.loanId || null,
      query.level || null,
      cursor ? cursor[0] : null,
      cursor ? cursor[1] : null,
      limit + 1,
    ]);
    // A notification names its recipient (the guardian's phone): a read of the student's data.
    const shown = rows.slice(0, limit).map((r) => r.loan_id).filter((id): id is string => !!id);
    if (shown.length) {
      const students = await runStatement(this.dataSource.manager, NOTIFICATION_LOAN_STUDENTS, [shown]);
      this.accessLog.record(actor, 'notification.list', students.map((s) => ({ id: s.student_id, schoolId: s.school_id })));
    }
    return toPage(rows, limit, (r) => [r.created_at.toISOString(), r.id], toNotificationResponse);
  }
}
