import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { DeviceStatus } from './device-status.js';

export const DEVICE_CONDITIONS = ['new', 'good', 'fair', 'poor', 'broken'] as const;
export type DeviceCondition = (typeof DEVICE_CONDITIONS)[number];
export const RETIRE_REASONS = ['sold', 'scrapped', 'written_off', 'unrepairable'] as const;
export type RetireReason = (typeof RETIRE_REASONS)[number];

/** Accessories that came with the device, as a checklist: `{ charger: true, bag: false }`. */
export type AccessoryKit = Record<string, boolean>;

@Entity('devices')
export class Device {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored trimmed and upper-case (see `normaliseCode`). */
  @Column('text', { name: 'asset_tag' })
  assetTag: string;

  @Column('text', { name: 'serial_number' })
  serialNumber: string;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('uuid', { name: 'batch_id' })
  batchId: string;

  /** The school holding the device; null while it is in the central store. */
  @Column('uuid', { name: 'school_id', nullable: true })
  schoolId: string | null;

  /** Changed only through `device-status.ts`. */
  @Column('text')
  status: DeviceStatus;

  @Column('text')
  condition: DeviceCondition;

  @Column('jsonb')
  accessories: AccessoryKit;

  @Column('date', { name: 'warranty_ends_on', nullable: true })
  warrantyEndsOn: string | null;

  @Column('text', { nullable: true })
  notes: string | null;

  @Column('text', { name: 'retired_reason', nullable: true })
  retiredReason: RetireReason | null;

  @Column('timestamptz', { name: 'last_seen_at', nullable: true })
  lastSeenAt: Date | null;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Asset tags and serials as a barcode scanner or a spreadsheet may send them: trimmed, upper-case. */
export const normaliseCode = (code: string) => code.trim().toUpperCase();
