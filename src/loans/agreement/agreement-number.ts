/**
 * Agreement numbers as `LoansService.issue` makes them: the program code (2-6 capitals), the
 * program's start year and a zero-padded number from one sequence, e.g. `MDN-2027-000123`.
 * The digits are capped so a pasted string of any length is refused before it reaches SQL.
 */
export const AGREEMENT_NUMBER = /^[A-Z]{2,6}-\d{4}-\d{6,19}$/;

/** Trimmed and upper-cased (someone may type it from paper), or null when it cannot be a number. */
export function parseAgreementNumber(raw: string): string | null {
  const number = raw.trim().toUpperCase();
  return AGREEMENT_NUMBER.test(number) ? number : null;
}

/**
 * What the agreement's QR code carries: the public verification URL, whose last-but-one path
 * segment is the agreement number. A plain URL, so a phone camera opens it directly, and the
 * office's scanner reads the number back out of it (`agreementNumberFromQr`).
 */
export function agreementQrPayload(publicBaseUrl: string, agreementNumber: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/agreements/${encodeURIComponent(agreementNumber)}/verify`;
}

/** The agreement number in a scanned QR payload, or null when it is not one of ours. */
export function agreementNumberFromQr(payload: string): string | null {
  const match = /\/api\/v1\/agreements\/([^/?#]+)\/verify(?:[?#].*)?$/.exec(payload.trim());
  return match ? parseAgreementNumber(decodeURIComponent(match[1])) : null;
}
