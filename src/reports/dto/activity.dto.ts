import { IsIn, IsOptional } from 'class-validator';
import { DateRangeQuery } from './report-query.dto.js';

export const ACTIVITY_INTERVALS = ['day', 'week'] as const;
export type ActivityInterval = (typeof ACTIVITY_INTERVALS)[number];

export class ActivityQuery extends DateRangeQuery {
  /** `day` (default) or `week` (weeks start on Monday). */
  @IsOptional() @IsIn(ACTIVITY_INTERVALS)
  interval?: ActivityInterval;
}

export class ActivityParameters {
  /** First day included (WIB); default 29 days (day) or 83 days (week) before `to`. */
  from: string;
  /** Last day included (WIB); default today. */
  to: string;
  @IsIn(ACTIVITY_INTERVALS)
  interval: ActivityInterval;
  schoolId: string | null;
}

export class ActivityFigures {
  /** Loans issued (agreements signed). */
  issued: number;
  /** Devices taken back (returns recorded). */
  returned: number;
  /** Loans reported lost or stolen. */
  lostOrStolen: number;
}

export class ActivityRow extends ActivityFigures {
  schoolId: string;
  schoolName: string;
  /** The day, or the Monday starting the week (WIB); a week cut by the range counts only its days inside it. */
  period: string;
}

export class ActivityReport {
  parameters: ActivityParameters;
  /** One row per school and period with any activity, by period then school name. */
  items: ActivityRow[];
  totals: ActivityFigures;
}
