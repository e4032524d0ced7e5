import { describe, expect, it } from '@jest/globals';
import { normaliseIndonesianPhone } from './phone.js';

describe('normaliseIndonesianPhone', () => {
  it.each([
    ['081234567890', '+6281234567890'],
    ['0812-3456-7890', '+6281234567890'],
    ['+62 812 3456 7890', '+6281234567890'],
    ['62812345678', '+62812345678'],
    ['0062 812 345 678', '+62812345678'],
    ['(061) 4567890', '+62614567890'],
  ])('%s -> %s', (raw, e164) => expect(normaliseIndonesianPhone(raw)).toBe(e164));

  it.each(['', '12345', '+1 415 555 0100', '0812', '08123456789012345', '+620812345678', 'call me'])('refuses %j', (raw) => {
    expect(normaliseIndonesianPhone(raw)).toBeNull();
  });
});
