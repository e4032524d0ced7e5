import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { runStatement, statement } from '../database/statements.js';

export interface DeviceMovement {
  deviceId: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

export const DEVICE_MOVEMENT_INSERT = statement(
  'device_movement_insert',
  `INSERT INTO device_movements (device_id, from_school_id, to_school_id, reason, moved_by) VALUES ($1, $2, $3, $4, $5)`,
);
export const DEVICE_SET_SCHOOL = statement('device_set_school', `UPDATE devices SET school_id = $2, version = version + 1, updated_at = now() WHERE id = $1`);

/** Where devices have been: the movement register, and a lent device following its loan. */
@Injectable()
export class DeviceMovements {
  /** The movement register: one row each time a device changes school, whoever moved it. */
  async record(tx: EntityManager, actor: Actor, movement: DeviceMovement): Promise<void> {
    await runStatement(tx, DEVICE_MOVEMENT_INSERT, [movement.deviceId, movement.from, movement.to, movement.reason, actor.id]);
  }

  /**
   * A device on loan follows its student to another school (the loan's transfer): the device's
   * school and the movement register change together. The caller holds the loan's lock, which is
   * what keeps the device's other writers away while it is on loan.
   */
  async followLoan(tx: EntityManager, actor: Actor, movement: DeviceMovement): Promise<void> {
    await runStatement(tx, DEVICE_SET_SCHOOL, [movement.deviceId, movement.to]);
    await this.record(tx, actor, movement);
  }
}
