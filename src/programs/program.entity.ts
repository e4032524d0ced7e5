import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { EligibilityRules } from './eligibility/eligibility-rules.js';

@Entity('programs')
export class Program {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Short code used in agreement numbers, e.g. MDN in MDN-2027-000123. */
  @Column('text')
  code: string;

  @Column('text')
  name: string;

  @Column('date', { name: 'starts_on' })
  startsOn: string;

  @Column('date', { name: 'ends_on' })
  endsOn: string;

  /** The loan term: a fixed due date, or a number of days from issue (exactly one is set). */
  @Column('date', { name: 'loan_due_date', nullable: true })
  loanDueDate: string | null;

  @Column('integer', { name: 'loan_days', nullable: true })
  loanDays: number | null;

  /** How many times a loan may be extended. */
  @Column('integer', { name: 'max_extensions' })
  maxExtensions: number;

  /** The longest a loan may run from issue, extensions included; null for no limit. */
  @Column('integer', { name: 'max_term_days', nullable: true })
  maxTermDays: number | null;

  @Column('jsonb')
  rules: EligibilityRules;

  /** The current agreement terms version (rows in program_terms). */
  @Column('integer', { name: 'terms_version' })
  termsVersion: number;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
