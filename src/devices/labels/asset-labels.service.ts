import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isHeldToOwnSchool, readableSchoolFilter } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { invalidField, notFound } from '../../common/errors.js';
import { runStatement } from '../../database/statements.js';
import type { AssetLabelsQuery } from './asset-labels.dto.js';
import { LABEL_BATCH_EXISTS, LABEL_DEVICES, LABEL_SCHOOL_EXISTS } from './asset-labels.queries.js';

/** Labels per request: 40 sheets of 3x8. More devices continue with `after`. */
export const MAX_LABELS_PER_REQUEST = 960;
const OWNER = 'Barang milik daerah - Dinas Pendidikan';

export interface LabelSheets {
  fileName: string;
  content: Buffer;
  /** The last asset tag printed, when more devices remain (`after` for the next request). */
  nextAfter: string | null;
  count: number;
}

/**
 * Printable asset-tag labels for a procurement batch or for a school's devices, in asset-tag
 * order. Devices lost, stolen or retired get none. School administrators print their own
 * school's devices only.
 */
@Injectable()
export class AssetLabelsService {
  constructor(private readonly dataSource: DataSource) {}

  async sheets(actor: Actor, query: AssetLabelsQuery): Promise<LabelSheets> {
    const schoolId = readableSchoolFilter(actor, query.schoolId) ?? null;
    if (!schoolId && !query.batchId) throw invalidField('batchId', 'batch_or_school');
    const db = this.dataSource.manager;
    if (query.batchId && (await runStatement(db, LABEL_BATCH_EXISTS, [query.batchId])).length === 0) throw notFound('procurement_batch_not_found');
    if (schoolId && !isHeldToOwnSchool(actor) && (await runStatement(db, LABEL_SCHOOL_EXISTS, [schoolId])).length === 0) throw notFound('school_not_found');
    const rows = await runStatement(db, LABEL_DEVICES, [schoolId, query.batchId ?? null, query.after ?? null, MAX_LABELS_PER_REQUEST + 1]);
    const printed = rows.slice(0, MAX_LABELS_PER_REQUEST);
    const layout = query.layout ?? '3x8';
    // The PDF libraries load with the first document drawn, not at start-up (docs/decisions.md 88).
    const { renderAssetLabels } = await import('./asset-labels-pdf.js');
    return {
      fileName: `label-aset-${layout}${printed.length ? `-${printed[0].asset_tag}` : ''}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_'),
      content: await renderAssetLabels(printed.map((r) => ({ assetTag: r.asset_tag, model: r.model })), layout, OWNER),
      nextAfter: rows.length > MAX_LABELS_PER_REQUEST ? printed[printed.length - 1].asset_tag : null,
      count: printed.length,
    };
  }
}
