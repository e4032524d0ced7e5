import { DateRangeQuery } from './report-query.dto.js';

export class LossesParameters {
  /** First day included (WIB); default the first day of the month eleven months before `to`. */
  from: string;
  /** Last day included (WIB); default today. */
  to: string;
  schoolId: string | null;
}

/** Money figures are whole rupiah; each charge is counted in the month it was created, with its status today. */
export class LossesFigures {
  /** Loans reported lost (by the day the loss was reported). */
  lost: number;
  /** Loans reported stolen. */
  stolen: number;
  /** Charges on returned loans (damage, missing kit, manual items). */
  damageCharges: number;
  /** Charges on lost or stolen loans (replacement). */
  lossCharges: number;
  /** damageCharges + lossCharges. */
  charges: number;
  /** Sum of all those charges: chargedAmount = paidAmount + waivedAmount + openAmount. */
  chargedAmount: number;
  paidCount: number;
  paidAmount: number;
  waivedCount: number;
  waivedAmount: number;
  openCount: number;
  openAmount: number;
}

export class LossesRow extends LossesFigures {
  schoolId: string;
  schoolName: string;
  /** YYYY-MM in WIB. @example 2027-03 */
  month: string;
}

export class LossesReport {
  parameters: LossesParameters;
  /** One row per school and month with any loss or charge, by school then month. */
  items: LossesRow[];
  totals: LossesFigures;
}

export class LossesQuery extends DateRangeQuery {}
