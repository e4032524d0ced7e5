import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../common/actor.js';

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  /** The public part of the key (`llk_<prefix>_...`), used to find the row. */
  @Column('text')
  prefix: string;

  /** SHA-256 of the secret part. Keys are 256-bit random, so a slow hash adds nothing. */
  @Column('bytea', { name: 'secret_hash', select: false })
  secretHash: Buffer;

  @Column('text')
  role: Role;

  @Column('uuid', { name: 'school_id', nullable: true })
  schoolId: string | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;
}
