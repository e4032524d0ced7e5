import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/** Whole rupiah in a bigint column: read as a JS number (exact up to 9 quadrillion). */
const rupiah = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

@Entity('procurement_batches')
export class ProcurementBatch {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'contract_ref' })
  contractRef: string;

  @Column('text', { name: 'funding_source' })
  fundingSource: string;

  @Column('date', { name: 'received_on' })
  receivedOn: string;

  @Column('bigint', { name: 'unit_cost', transformer: rupiah })
  unitCost: number;

  @Column('integer')
  quantity: number;

  @Column('uuid', { name: 'model_id' })
  modelId: string;

  @Column('text', { nullable: true })
  notes: string | null;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
