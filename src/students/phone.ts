/**
 * Indonesian phone numbers as people write them (0812-3456-7890, +62 812 3456 7890,
 * 62812..., (061) 4567890) to E.164 (+628123456789). Returns null when it is not one.
 */
export function normaliseIndonesianPhone(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, '');
  let digits: string;
  if (/^\+62\d+$/.test(compact)) digits = compact.slice(3);
  else if (/^0062\d+$/.test(compact)) digits = compact.slice(4);
  else if (/^62\d+$/.test(compact)) digits = compact.slice(2);
  else if (/^0\d+$/.test(compact)) digits = compact.slice(1);
  else return null;
  // Mobile numbers are 9-12 digits after the country code, landlines 8-11; neither starts with 0.
  return /^[1-9]\d{7,12}$/.test(digits) ? `+62${digits}` : null;
}
