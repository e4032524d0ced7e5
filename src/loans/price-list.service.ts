import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { invalidField, notFound } from '../common/errors.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import type { PriceItem, PriceListRequest, PriceListResponse } from './dto/charge.dto.js';
import { PRICE_LIST_DELETE, PRICE_LIST_INSERT_ITEM, PRICE_LIST_ITEMS, PRICE_LIST_PROGRAM, PRICE_LIST_PROGRAM_LOCK, type PriceRow } from './price-list.queries.js';

/** A program's price list: what a return or a loss charges, in whole rupiah. */
@Injectable()
export class PriceListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  async get(programId: string): Promise<PriceListResponse> {
    const [program] = await runStatement(this.dataSource.manager, PRICE_LIST_PROGRAM, [programId]);
    if (!program) throw notFound('program_not_found');
    const rows = await runStatement(this.dataSource.manager, PRICE_LIST_ITEMS, [programId]);
    return { programId, items: rows.map(toPriceItem) };
  }

  replace(actor: Actor, programId: string, request: PriceListRequest): Promise<PriceListResponse> {
    assertRole(actor, ['program_admin']);
    const codes = request.items.map((i) => i.code);
    if (new Set(codes).size !== codes.length) throw invalidField('items', 'code_repeated');
    return this.transactions.run(undefined, async (tx) => {
      const [program] = await runStatement(tx, PRICE_LIST_PROGRAM_LOCK, [programId]);
      if (!program) throw notFound('program_not_found');
      const before = await runStatement(tx, PRICE_LIST_ITEMS, [programId]);
      await runStatement(tx, PRICE_LIST_DELETE, [programId]);
      for (const item of request.items) {
        await runStatement(tx, PRICE_LIST_INSERT_ITEM, [programId, item.code, item.description, item.amount, item.waivableForSocialAid ?? false]);
      }
      const after = { programId, items: [...request.items].sort((a, b) => a.code.localeCompare(b.code)).map((i) => ({ ...i, waivableForSocialAid: i.waivableForSocialAid ?? false })) };
      await this.audit.record(tx, actor, { action: 'program.price_list_set', entityType: 'program', entityId: programId, schoolId: null, before: { items: before.map(toPriceItem) }, after });
      return after;
    });
  }
}

export function toPriceItem(row: PriceRow): PriceItem {
  return { code: row.code, description: row.description, amount: Number(row.amount), waivableForSocialAid: row.waivable_for_social_aid };
}
