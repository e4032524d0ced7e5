import { statement } from '../database/statements.js';

export interface RepairRow {
  id: string;
  device_id: string;
  school_id: string | null;
  vendor: string;
  problem: string;
  cost_estimate: string | null;
  opened_at: Date;
  outcome: 'repaired' | 'unrepairable' | null;
  final_cost: string | null;
  closed_at: Date | null;
  notes: string | null;
}

// Every statement answers the same columns, the ones a repair's answer shows (not who opened or closed it).

export const REPAIR_OPEN = statement<RepairRow>(
  'repair_open',
  `INSERT INTO device_repairs (device_id, school_id, vendor, problem, cost_estimate, opened_by)
   VALUES ($1, $2, $3, $4, $5, $6)
   RETURNING id, device_id, school_id, vendor, problem, cost_estimate, opened_at, outcome, final_cost, closed_at, notes`,
);

export const REPAIR_OF_DEVICE = statement<RepairRow>(
  'repair_of_device',
  `SELECT id, device_id, school_id, vendor, problem, cost_estimate, opened_at, outcome, final_cost, closed_at, notes
   FROM device_repairs WHERE id = $1 AND device_id = $2`,
);

export const REPAIR_CLOSE = statement<RepairRow>(
  'repair_close',
  `UPDATE device_repairs SET outcome = $2, final_cost = $3, notes = $4, closed_by = $5, closed_at = now()
   WHERE id = $1
   RETURNING id, device_id, school_id, vendor, problem, cost_estimate, opened_at, outcome, final_cost, closed_at, notes`,
);

export const REPAIRS_OF_DEVICE = statement<RepairRow>(
  'repairs_of_device',
  `SELECT id, device_id, school_id, vendor, problem, cost_estimate, opened_at, outcome, final_cost, closed_at, notes
   FROM device_repairs WHERE device_id = $1 ORDER BY opened_at`,
);
