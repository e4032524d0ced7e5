import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors.js';
import { assertDeviceTransition, canTransition, DEVICE_STATUSES, DEVICE_TRANSITIONS, type DeviceStatus } from './device-status.js';

/** The legal moves, written out by hand so that a change to the table has to change this too. */
const LEGAL: ReadonlyArray<[DeviceStatus, DeviceStatus]> = [
  ['in_stock', 'reserved'],
  ['in_stock', 'on_loan'],
  ['in_stock', 'in_repair'],
  ['in_stock', 'lost'],
  ['in_stock', 'stolen'],
  ['in_stock', 'retired'],
  ['reserved', 'on_loan'],
  ['reserved', 'in_stock'],
  ['on_loan', 'in_stock'],
  ['on_loan', 'in_repair'],
  ['on_loan', 'retired'],
  ['on_loan', 'lost'],
  ['on_loan', 'stolen'],
  ['in_repair', 'in_stock'],
  ['in_repair', 'retired'],
  ['lost', 'in_stock'],
  ['lost', 'retired'],
  ['stolen', 'in_stock'],
  ['stolen', 'retired'],
];
const isLegal = (from: DeviceStatus, to: DeviceStatus) => LEGAL.some(([f, t]) => f === from && t === to);

const ALL_PAIRS = DEVICE_STATUSES.flatMap((from) => DEVICE_STATUSES.map((to) => [from, to] as [DeviceStatus, DeviceStatus]));

function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('device state machine', () => {
  it('knows exactly the seven statuses, each with an entry in the table', () => {
    expect([...DEVICE_STATUSES].sort()).toEqual(['in_repair', 'in_stock', 'lost', 'on_loan', 'reserved', 'retired', 'stolen']);
    expect(Object.keys(DEVICE_TRANSITIONS).sort()).toEqual([...DEVICE_STATUSES].sort());
    expect(ALL_PAIRS).toHaveLength(49);
  });

  it('the table says exactly the legal moves, no more and no fewer', () => {
    const fromTable = DEVICE_STATUSES.flatMap((from) => DEVICE_TRANSITIONS[from].map((to) => `${from}->${to}`)).sort();
    expect(fromTable).toEqual(LEGAL.map(([f, t]) => `${f}->${t}`).sort());
  });

  it.each(ALL_PAIRS.filter(([f, t]) => isLegal(f, t)))('%s -> %s is allowed', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertDeviceTransition(from, to)).not.toThrow();
  });

  it.each(ALL_PAIRS.filter(([f, t]) => !isLegal(f, t)))('%s -> %s is refused with a conflict naming both statuses', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = thrown(() => assertDeviceTransition(from, to));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).type).toBe('conflict');
    expect((error as DomainError).extra).toMatchObject({ currentStatus: from, requestedStatus: to });
  });

  it('no status becomes itself', () => {
    for (const status of DEVICE_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('retired has no way out', () => {
    expect(DEVICE_TRANSITIONS.retired).toEqual([]);
    for (const to of DEVICE_STATUSES) {
      const error = thrown(() => assertDeviceTransition('retired', to));
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).extra).toMatchObject({ currentStatus: 'retired', requestedStatus: to });
    }
  });
});
