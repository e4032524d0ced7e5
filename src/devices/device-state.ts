import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prepared, runStatement, statement } from '../database/statements.js';
import type { DeviceCondition, RetireReason } from './device.entity.js';
import { assertDeviceTransition, type DeviceStatus } from './device-status.js';

/**
 * A device row its caller read `FOR UPDATE` in the same transaction (`lockDevice`, or a
 * statement that locks it with the row it serves, like the issue's), so `status` is current.
 */
export interface LockedDevice {
  readonly id: string;
  status: DeviceStatus;
}

/** What may change together with the status, in the same statement. */
export interface DeviceStatusDetails {
  condition?: DeviceCondition;
  retiredReason?: RetireReason;
  /** `undefined` keeps the notes; a string or null replaces them. */
  notes?: string | null;
  /** The device was in someone's hands just now (a return, a recovery). */
  seen?: boolean;
}

// The path: a prepared statement, planned once per connection (the benchmark runs it too).
export const SET_DEVICE_STATUS = prepared('device_set_status', `UPDATE devices SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`);
const SET_STATUS_WITH_DETAILS = prepared(
  'device_set_status_details',
  `UPDATE devices SET status = $2, condition = coalesce($3, condition), retired_reason = coalesce($4, retired_reason),
          notes = CASE WHEN $5 THEN $6 ELSE notes END, last_seen_at = CASE WHEN $7 THEN now() ELSE last_seen_at END,
          version = version + 1, updated_at = now()
   WHERE id = $1`,
);
export const DEVICE_LOCK_STATE = statement<LockedDevice & { accessories: Record<string, boolean> }>(
  'device_lock_state',
  `SELECT id, status, accessories FROM devices WHERE id = $1 FOR UPDATE`,
);

/**
 * The one place a device's status is written, exported by DevicesModule to the modules that move
 * a device through a loan (loans) or an allocation (programs).
 */
@Injectable()
export class DeviceStates {
  /**
   * Checks the state machine from the locked row, writes the new status (and what changes with
   * it) and brings the caller's row up to date. The audit event stays with the caller, which
   * knows why the device moved (lent for a loan, reserved by a run, released by a withdrawal) and
   * records it with its own events in one statement.
   */
  async change(tx: EntityManager, device: LockedDevice, to: DeviceStatus, details: DeviceStatusDetails = {}): Promise<void> {
    assertDeviceTransition(device.status, to);
    const { condition, retiredReason, notes, seen } = details;
    if (condition === undefined && retiredReason === undefined && notes === undefined && !seen) {
      await runStatement(tx, SET_DEVICE_STATUS, [device.id, to]);
    } else {
      await runStatement(tx, SET_STATUS_WITH_DETAILS, [device.id, to, condition ?? null, retiredReason ?? null, notes !== undefined, notes ?? null, seen ?? false]);
    }
    device.status = to;
  }

  /** Locks a device's row for the rest of the transaction, for a status change; absent is null. */
  async lock(tx: EntityManager, id: string): Promise<(LockedDevice & { accessories: Record<string, boolean> }) | null> {
    const [row] = await runStatement(tx, DEVICE_LOCK_STATE, [id]);
    return row ?? null;
  }
}
