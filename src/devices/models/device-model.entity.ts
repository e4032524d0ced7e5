import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export const DEVICE_CATEGORIES = ['laptop', 'chromebook', 'tablet'] as const;
export type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];

@Entity('device_models')
export class DeviceModel {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  manufacturer: string;

  @Column('text')
  model: string;

  @Column('text')
  category: DeviceCategory;

  /** Free-form specification, e.g. `{ "cpu": "Celeron N4500", "ramGb": 4 }`. */
  @Column('jsonb')
  specs: Record<string, unknown>;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
