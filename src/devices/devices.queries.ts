import { statement } from '../database/statements.js';

/** Which of a new device's codes ($1 asset tag, $2 serial number) another device already has. */
export const DEVICE_CODE_CLASHES = statement<{ tag: boolean; serial: boolean }>(
  'device_code_clashes',
  `SELECT asset_tag = $1 AS tag, serial_number = $2 AS serial FROM devices WHERE asset_tag = $1 OR serial_number = $2`,
);

/** The school holding a device, for the access check of a read. */
export const DEVICE_SCHOOL = statement<{ school_id: string | null }>('device_school', `SELECT school_id FROM devices WHERE id = $1`);
