import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { runStatement, type Statement } from '../database/statements.js';
import { type AccessOperation, StudentAccessLog } from '../students/privacy/student-access-log.js';
import type {
  LeaverWorkItemResponse,
  OpenChargeWorkItemResponse,
  OverdueWorkItemResponse,
  PickupWorkItemResponse,
  WorklistQuery,
} from './dto/worklist.dto.js';
import { AWAITING_PICKUP, LEAVERS_HOLDING_DEVICES, OPEN_CHARGES, OVERDUE_LOANS } from './worklist-queries.js';

interface Keyed {
  sort_key?: string;
  studentId: string;
  schoolId: string;
}

/**
 * A school's worklists: what the operator has to chase. Each is a keyset-paged read, scoped like
 * every list (a school administrator sees their own school only), and each page names students,
 * so every student on it is noted in the access log like any other read of their data.
 */
@Injectable()
export class WorklistsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly accessLog: StudentAccessLog,
  ) {}

  overdue(actor: Actor, query: WorklistQuery): Promise<Page<OverdueWorkItemResponse>> {
    return this.page(actor, query, OVERDUE_LOANS, 'worklist.overdue', (r) => [r.dueDate, r.loanId]);
  }

  leavers(actor: Actor, query: WorklistQuery): Promise<Page<LeaverWorkItemResponse>> {
    return this.page(actor, query, LEAVERS_HOLDING_DEVICES, 'worklist.leavers', (r) => [r.sort_key, r.loanId]);
  }

  async openCharges(actor: Actor, query: WorklistQuery): Promise<Page<OpenChargeWorkItemResponse>> {
    const page = await this.page(actor, query, OPEN_CHARGES, 'worklist.open-charges', (r) => [r.sort_key, r.chargeId]);
    return { ...page, items: page.items.map((c) => ({ ...c, createdAt: new Date(c.createdAt).toISOString() })) };
  }

  async awaitingPickup(actor: Actor, query: WorklistQuery): Promise<Page<PickupWorkItemResponse>> {
    const page = await this.page(actor, query, AWAITING_PICKUP, 'worklist.awaiting-pickup', (r) => [r.sort_key, r.applicationId]);
    return { ...page, items: page.items.map((a) => ({ ...a, allocatedAt: new Date(a.allocatedAt).toISOString() })) };
  }

  private async page<Row extends Keyed>(actor: Actor, query: WorklistQuery, list: Statement<Row>, operation: AccessOperation, key: (row: Row) => string[]): Promise<Page<Omit<Row, 'sort_key'>>> {
    const schoolId = readableSchoolFilter(actor, query.schoolId) ?? null;
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor, 2);
    const search = query.q ? query.q : null;
    const rows = await runStatement(this.dataSource.manager, list, [schoolId, query.programId ?? null, search, this.clock.today(), cursor?.[0] ?? null, cursor?.[1] ?? null, limit + 1]);
    this.accessLog.record(actor, operation, rows.slice(0, limit).map((r) => ({ id: r.studentId, schoolId: r.schoolId })));
    return toPage(rows, limit, key, ({ sort_key: _, ...item }) => item);
  }
}
