import { IsOptional, IsUUID } from 'class-validator';

export class SummaryQuery {
  /** One school; the whole city when absent. School administrators always get their own school. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** The program whose coverage the chart shows; default the latest program running today (or the latest started). */
  @IsOptional() @IsUUID()
  programId?: string;
}
