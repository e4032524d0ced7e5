import { DomainError } from '../common/errors.js';

export const DEVICE_STATUSES = ['in_stock', 'reserved', 'on_loan', 'in_repair', 'lost', 'stolen', 'retired'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/**
 * The device state machine: the only place that says which status may follow which. Every
 * status change goes through `assertDeviceTransition`; nothing else decides.
 */
export const DEVICE_TRANSITIONS: Record<DeviceStatus, readonly DeviceStatus[]> = {
  // Reserved by an allocation run, lent, sent for repair, found missing at a stock-take, written off.
  in_stock: ['reserved', 'on_loan', 'in_repair', 'lost', 'stolen', 'retired'],
  // Issued to the student it was reserved for, or released back to stock.
  reserved: ['on_loan', 'in_stock'],
  // Returned (to stock, to repair, or retired at once), or reported lost or stolen.
  on_loan: ['in_stock', 'in_repair', 'retired', 'lost', 'stolen'],
  // A repair closes as repaired or unrepairable.
  in_repair: ['in_stock', 'retired'],
  // Found or recovered later (the documented recovery path), or written off for good.
  lost: ['in_stock', 'retired'],
  stolen: ['in_stock', 'retired'],
  retired: [],
};

export function canTransition(from: DeviceStatus, to: DeviceStatus): boolean {
  return DEVICE_TRANSITIONS[from].includes(to);
}

export function assertDeviceTransition(from: DeviceStatus, to: DeviceStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError('conflict', 'device_transition', { from, to }, {
      currentStatus: from,
      requestedStatus: to,
    });
  }
}
