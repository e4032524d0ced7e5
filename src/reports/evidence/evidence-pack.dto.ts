import { IsOptional, IsUUID } from 'class-validator';

export class EvidencePackQuery {
  /** The program the pack is about. */
  @IsUUID()
  programId: string;

  /** Only this school. School administrators always get their own school; another school's id is a 404. */
  @IsOptional() @IsUUID()
  schoolId?: string;
}
