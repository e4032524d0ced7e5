import { describe, expect, it } from '@jest/globals';
import type { DeviceStatus } from '../device-status.js';
import { classify, type LocatedDevice, type ScannedCode } from './stocktake-result.js';

const HERE = 'school-here';
const device = (id: string, status: DeviceStatus, schoolId: string | null = HERE): LocatedDevice => ({ id, assetTag: `TAG-${id}`, serialNumber: `SN-${id}`, schoolId, status });
const scanOf = (d: LocatedDevice | null, code = d?.assetTag ?? 'UNKNOWN', at = 1): ScannedCode => ({
  code,
  scannedAt: new Date(at * 1000),
  device: d ? { ...d, schoolName: d.schoolId ? `name of ${d.schoolId}` : null } : null,
});

describe('classify', () => {
  it('puts each device in exactly one place', () => {
    const shelf = device('1', 'in_stock');
    const missing = device('2', 'reserved');
    const loan = device('3', 'on_loan');
    const repair = device('4', 'in_repair');
    const lost = device('5', 'lost');
    const elsewhere = device('6', 'in_stock', 'school-there');
    const { result, counts, seen } = classify(HERE, [shelf, missing, loan, repair], [scanOf(shelf), scanOf(loan), scanOf(lost), scanOf(elsewhere), scanOf(null)]);
    expect(result.found.map((e) => e.deviceId)).toEqual(['1']);
    expect(result.missing.map((e) => e.deviceId)).toEqual(['2']);
    expect(result.onLoan).toEqual([expect.objectContaining({ deviceId: '3', scanned: true })]);
    expect(result.inRepair).toEqual([expect.objectContaining({ deviceId: '4', scanned: false })]);
    expect(result.unexpected.map((u) => [u.deviceId, u.reason])).toEqual([
      ['5', 'out_of_service'],
      ['6', 'recorded_elsewhere'],
      [null, 'unknown_code'],
    ]);
    expect(counts).toEqual({ scannedCodes: 5, expected: 2, found: 1, missing: 1, onLoan: 1, inRepair: 1, unexpected: 3, unknown: 1, relocated: 0 });
    expect([...seen.keys()].sort()).toEqual(['1', '3', '5', '6']);
  });

  it('counts a device scanned by tag and serial once, seen at its latest scan', () => {
    const shelf = device('1', 'in_stock');
    const { result, seen } = classify(HERE, [shelf], [scanOf(shelf, shelf.assetTag, 1), scanOf(shelf, shelf.serialNumber, 2)]);
    expect(result.found).toHaveLength(1);
    expect(seen.get('1')).toEqual(new Date(2000));
  });

  it('the store is a location like any other: a school device scanned there is unexpected', () => {
    const inStore = device('1', 'in_stock', null);
    const atSchool = device('2', 'in_stock', HERE);
    const { result } = classify(null, [inStore], [scanOf(inStore), scanOf(atSchool)]);
    expect(result.found.map((e) => e.deviceId)).toEqual(['1']);
    expect(result.unexpected).toEqual([expect.objectContaining({ deviceId: '2', recordedSchoolId: HERE, reason: 'recorded_elsewhere' })]);
  });
});
