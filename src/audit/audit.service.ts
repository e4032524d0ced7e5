import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor } from '../common/actor.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { readableSchoolFilter } from '../auth/access.js';
import { AuditSealer } from './audit-sealer.js';
import { AuditEventQuery, AuditEventResponse, AuditVerificationResponse } from './dto/audit.dto.js';

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: AuditEventResponse['actorType'];
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  school_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  hash: Buffer;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sealer: AuditSealer,
  ) {}

  async list(actor: Actor, query: AuditEventQuery): Promise<Page<AuditEventResponse>> {
    const limit = query.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) add('school_id = ?', schoolId);
    if (query.action) add('action = ?', query.action);
    if (query.entityType) add('entity_type = ?', query.entityType);
    if (query.entityId) add('entity_id = ?', query.entityId);
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.from) add('occurred_at >= ?', query.from);
    if (query.to) add('occurred_at < ?', query.to);
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor) add('id < ?', String(cursor[0]));
    params.push(limit + 1);
    // Newest first: an auditor usually asks "what happened lately".
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT * FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, (row) => [row.id], toAuditEventResponse);
  }

  /**
   * Seals what can be sealed, then checks every event against its hash and every block against
   * its digest and its predecessor. Reports the first broken link in log order.
   */
  async verify(): Promise<AuditVerificationResponse> {
    await this.sealer.sealPending();
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const [badEvent] = await tx.query(
        `SELECT id FROM audit_events e WHERE e.hash IS DISTINCT FROM audit_event_digest(e) ORDER BY tx_id, id LIMIT 1`,
      );
      const [badBlock] = await tx.query(`
        WITH chain AS (
          SELECT b.*, lag(b.hash) OVER w AS expected_prev, lag(b.to_tx) OVER w AS expected_from,
                 lag(b.block_no) OVER w AS previous_no
          FROM audit_blocks b WINDOW w AS (ORDER BY b.block_no))
        SELECT c.block_no,
               CASE
                 WHEN c.block_no <> coalesce(c.previous_no, 0) + 1 THEN 'block numbers are not contiguous'
                 WHEN c.prev_hash <> coalesce(c.expected_prev, '\\x${'00'.repeat(32)}'::bytea) THEN 'does not link to the previous block'
                 WHEN c.expected_from IS NOT NULL AND c.from_tx <> c.expected_from THEN 'leaves a gap after the previous block'
                 WHEN d.event_count <> c.event_count THEN 'events were removed or added (' || d.event_count || ' found, ' || c.event_count || ' sealed)'
                 ELSE 'digest of its events does not match'
               END AS reason
        FROM chain c CROSS JOIN LATERAL audit_block_digest(c.block_no, c.from_tx, c.to_tx, c.prev_hash) d
        WHERE c.block_no <> coalesce(c.previous_no, 0) + 1
           OR c.prev_hash <> coalesce(c.expected_prev, '\\x${'00'.repeat(32)}'::bytea)
           OR (c.expected_from IS NOT NULL AND c.from_tx <> c.expected_from)
           OR d.event_count <> c.event_count
           OR d.hash <> c.hash
        ORDER BY c.block_no LIMIT 1`);
      const [counts] = await tx.query(`
        SELECT (SELECT count(*) FROM audit_events) AS events,
               (SELECT count(*) FROM audit_blocks) AS blocks,
               (SELECT count(*) FROM audit_events
                 WHERE tx_id >= coalesce((SELECT to_tx FROM audit_blocks ORDER BY block_no DESC LIMIT 1), '0'::xid8)) AS unsealed,
               (SELECT encode(hash, 'hex') FROM audit_blocks ORDER BY block_no DESC LIMIT 1) AS head`);
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

export function toAuditEventResponse(row: AuditRow): AuditEventResponse {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at.toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    schoolId: row.school_id,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    hash: row.hash.toString('hex'),
  };
}
