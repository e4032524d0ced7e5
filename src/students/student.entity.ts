import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const ENROLMENT_STATUSES = ['enrolled', 'graduated', 'transferred', 'dropped_out'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
export const GUARDIAN_RELATIONS = ['mother', 'father', 'guardian', 'grandparent', 'sibling', 'other'] as const;
export type GuardianRelation = (typeof GUARDIAN_RELATIONS)[number];

@Entity('students')
export class Student {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** National student number, exactly 10 digits. */
  @Column('text')
  nisn: string;

  @Column('text', { name: 'full_name' })
  fullName: string;

  @Column('uuid', { name: 'school_id' })
  schoolId: string;

  @Column('integer')
  grade: number;

  @Column('text', { name: 'class_name', nullable: true })
  className: string | null;

  /** Null once the student is anonymised (docs/privacy.md). */
  @Column('date', { name: 'date_of_birth', nullable: true })
  dateOfBirth: string | null;

  @Column('text', { name: 'guardian_name', nullable: true })
  guardianName: string | null;

  @Column('text', { name: 'guardian_relation', nullable: true })
  guardianRelation: GuardianRelation | null;

  /** E.164, +62... */
  @Column('text', { name: 'guardian_phone', nullable: true })
  guardianPhone: string | null;

  @Column('text', { name: 'family_card_number', nullable: true })
  familyCardNumber: string | null;

  @Column('boolean')
  resident: boolean;

  @Column('text', { name: 'social_aid', array: true })
  socialAid: string[];

  @Column('text', { name: 'enrolment_status' })
  enrolmentStatus: EnrolmentStatus;

  /** When the student left (graduated, transferred out of the city, dropped out). */
  @Column('date', { name: 'left_at', nullable: true })
  leftAt: string | null;

  /** Set by the retention job; the personal fields above are then replaced. */
  @Column('timestamptz', { name: 'anonymised_at', nullable: true })
  anonymisedAt: Date | null;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
