import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const SCHOOL_LEVELS = ['SD', 'SMP', 'SMA', 'SMK'] as const;
export type SchoolLevel = (typeof SCHOOL_LEVELS)[number];

@Entity('schools')
export class School {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** National school number (NPSN), exactly 8 digits. */
  @Column('text')
  npsn: string;

  @Column('text')
  name: string;

  @Column('text')
  level: SchoolLevel;

  @Column('text')
  district: string;

  @Column('text', { nullable: true })
  address: string | null;

  @Column('boolean', { default: true })
  active: boolean;

  /** Bumped on every change; exposed as the ETag for optimistic concurrency. */
  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
