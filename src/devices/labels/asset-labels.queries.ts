import { statement } from '../../database/statements.js';

export const LABEL_BATCH_EXISTS = statement<{ id: string }>('label_batch_exists', `SELECT id FROM procurement_batches WHERE id = $1`);
export const LABEL_SCHOOL_EXISTS = statement<{ id: string }>('label_school_exists', `SELECT id FROM schools WHERE id = $1`);

/**
 * Devices that get a label, in asset-tag order: $1 a school and/or $2 a batch (null: any), $3 the
 * last tag already printed (null: from the start), $4 how many.
 */
export const LABEL_DEVICES = statement<{ asset_tag: string; model: string }>(
  'label_devices',
  `SELECT d.asset_tag, m.manufacturer || ' ' || m.model AS model
   FROM devices d JOIN device_models m ON m.id = d.model_id
   WHERE d.status IN ('in_stock', 'reserved', 'on_loan', 'in_repair')
     AND ($1::uuid IS NULL OR d.school_id = $1) AND ($2::uuid IS NULL OR d.batch_id = $2) AND ($3::text IS NULL OR d.asset_tag > $3)
   ORDER BY d.asset_tag LIMIT $4`,
);
