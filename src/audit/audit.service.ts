import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor } from '../common/actor.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { readableSchoolFilter } from '../auth/access.js';
import { runStatement } from '../database/statements.js';
import { AUDIT_EVENTS_PAGE, AUDIT_FIRST_BAD_BLOCK, AUDIT_FIRST_BAD_EVENT, AUDIT_VERIFICATION_COUNTS, type AuditRow } from './audit.queries.js';
import { AuditSealer } from './audit-sealer.js';
import { toAuditEventResponse } from './audit-event-response.js';
import { AuditEventQuery, AuditEventResponse, AuditVerificationResponse } from './dto/audit.dto.js';

@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sealer: AuditSealer,
  ) {}

  async list(actor: Actor, query: AuditEventQuery): Promise<Page<AuditEventResponse>> {
    const limit = query.limit ?? 50;
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const cursor = decodeCursor(query.cursor, 1);
    // Newest first: an auditor usually asks "what happened lately". An empty filter is no filter.
    const rows = await runStatement(this.dataSource.manager, AUDIT_EVENTS_PAGE, [
      schoolId || null,
      query.action || null,
      query.entityType || null,
      query.entityId || null,
      query.actorId || null,
      query.from || null,
      query.to || null,
      cursor ? String(cursor[0]) : null,
      limit + 1,
    ]);
    return toPage(rows, limit, (row) => [row.id], toAuditEventResponse);
  }

  /**
   * Seals what can be sealed, then checks every event against its hash and every block against
   * its digest and its predecessor. Reports the first broken link in log order.
   */
  async verify(): Promise<AuditVerificationResponse> {
    await this.sealer.sealPending();
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const [badEvent] = await runStatement(tx, AUDIT_FIRST_BAD_EVENT, []);
      const [badBlock] = await runStatement(tx, AUDIT_FIRST_BAD_BLOCK, []);
      const [counts] = await runStatement(tx, AUDIT_VERIFICATION_COUNTS, []);
      const firstBrokenLink = badEvent
        ? { kind: 'event' as const, at: String(badEvent.id), reason: 'content does not match its hash' }
        : badBlock
          ? { kind: 'block' as const, at: String(badBlock.block_no), reason: String(badBlock.reason) }
          : null;
      return {
        valid: firstBrokenLink === null,
        eventsChecked: Number(counts.events),
        blocksChecked: Number(counts.blocks),
        unsealedEvents: Number(counts.unsealed),
        headHash: counts.head ?? null,
        firstBrokenLink,
        checkedAt: new Date().toISOString(),
      };
    });
  }
}
