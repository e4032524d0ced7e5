import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

export class DuplicateBeneficiariesQuery {
  @IsOptional() @IsUUID()
  schoolId?: string;
}

export class FamilyHolding {
  studentId: string;
  schoolId: string;
  /** An active loan, or an allocation waiting to be issued. */
  @IsIn(['loan', 'allocation'])
  via: 'loan' | 'allocation';
  /** The loan's or the application's id. */
  id: string;
}

export class DuplicateFamily {
  familyCardNumber: string;
  /** Devices held or allocated across the family in this program. */
  devices: number;
  @Type(() => FamilyHolding)
  holdings: FamilyHolding[];
}

export class DuplicateBeneficiariesResponse {
  programId: string;
  /** null when the program allows several devices per family (nothing is then reported). */
  limitPerFamily: number | null;
  @Type(() => DuplicateFamily)
  families: DuplicateFamily[];
}
