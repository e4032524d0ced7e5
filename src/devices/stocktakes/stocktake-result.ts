import type { DeviceStatus } from '../device-status.js';
import type { StocktakeAwayEntry, StocktakeCounts, StocktakeDeviceEntry, StocktakeResult, StocktakeUnexpectedEntry } from './dto/stocktake.dto.js';

/**
 * What a stock-take expects, as one pure function of (location, devices recorded there, codes
 * scanned). The rules, documented in docs/devices.md:
 * - expected on the shelf: recorded at this location and `in_stock` or `reserved` (a reserved
 *   device waits here for its student);
 * - away, never missing: recorded here and `on_loan` (with the student) or `in_repair` (with the
 *   repairer); listed on their own, with whether they turned up anyway;
 * - not expected at all: `lost`, `stolen`, `retired`; scanned, they are unexpected (`out_of_service`);
 * - scanned but recorded at another location (a school or the store): unexpected (`recorded_elsewhere`);
 * - a code that matches no device: unexpected (`unknown_code`).
 */

export const EXPECTED_STATUSES: readonly DeviceStatus[] = ['in_stock', 'reserved'];
/** Statuses whose devices belong to a location's count at all (the rest are out of service). */
export const COUNTED_STATUSES: readonly DeviceStatus[] = ['in_stock', 'reserved', 'on_loan', 'in_repair'];

export interface LocatedDevice {
  id: string;
  assetTag: string;
  serialNumber: string;
  schoolId: string | null;
  status: DeviceStatus;
}

export interface ScannedCode {
  code: string;
  scannedAt: Date;
  /** The device the code names now (asset tag first, then serial), or null. */
  device: (LocatedDevice & { schoolName: string | null }) | null;
}

export interface Classification {
  result: StocktakeResult;
  counts: StocktakeCounts;
  /** Every known device scanned, with the last time it was scanned: its new `lastSeenAt`. */
  seen: Map<string, Date>;
}

/**
 * @param location the school counted, or null for the store
 * @param atLocation devices recorded at the location with a COUNTED_STATUSES status
 * @param scanned the distinct codes scanned, oldest first
 */
export function classify(location: string | null, atLocation: readonly LocatedDevice[], scanned: readonly ScannedCode[]): Classification {
  const seen = new Map<string, Date>();
  // Scanned devices recorded here count even if `atLocation` was read a moment apart from them.
  const here = new Map(atLocation.map((d) => [d.id, d]));
  const unexpected: StocktakeUnexpectedEntry[] = [];
  for (const { code, scannedAt, device } of scanned) {
    if (!device) {
      unexpected.push({ code, reason: 'unknown_code', deviceId: null, assetTag: null, serialNumber: null, status: null, recordedSchoolId: null, recordedSchoolName: null, relocated: false });
      continue;
    }
    const earlier = seen.get(device.id);
    seen.set(device.id, earlier && earlier > scannedAt ? earlier : scannedAt);
    // A device scanned by its tag and by its serial is one device: listed once.
    if (earlier) continue;
    const recordedHere = device.schoolId === location;
    if (recordedHere && COUNTED_STATUSES.includes(device.status)) {
      here.set(device.id, device);
      continue;
    }
    here.delete(device.id);
    unexpected.push({
      code,
      reason: recordedHere ? 'out_of_service' : 'recorded_elsewhere',
      deviceId: device.id,
      assetTag: device.assetTag,
      serialNumber: device.serialNumber,
      status: device.status,
      recordedSchoolId: device.schoolId,
      recordedSchoolName: device.schoolName,
      relocated: false,
    });
  }

  const result: StocktakeResult = { found: [], missing: [], onLoan: [], inRepair: [], unexpected };
  for (const device of [...here.values()].sort((a, b) => byText(a.assetTag, b.assetTag))) {
    const entry: StocktakeDeviceEntry = { deviceId: device.id, assetTag: device.assetTag, serialNumber: device.serialNumber, status: device.status };
    const away: StocktakeAwayEntry = { ...entry, scanned: seen.has(device.id) };
    if (device.status === 'on_loan') result.onLoan.push(away);
    else if (device.status === 'in_repair') result.inRepair.push(away);
    else if (EXPECTED_STATUSES.includes(device.status)) (seen.has(device.id) ? result.found : result.missing).push(entry);
  }
  unexpected.sort((a, b) => byText(a.assetTag ?? a.code, b.assetTag ?? b.code));
  return { result, counts: countsOf(result, scanned.length), seen };
}

export function countsOf(result: StocktakeResult, scannedCodes: number): StocktakeCounts {
  return {
    scannedCodes,
    expected: result.found.length + result.missing.length,
    found: result.found.length,
    missing: result.missing.length,
    onLoan: result.onLoan.length,
    inRepair: result.inRepair.length,
    unexpected: result.unexpected.length,
    unknown: result.unexpected.filter((u) => u.reason === 'unknown_code').length,
    relocated: result.unexpected.filter((u) => u.relocated).length,
  };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
