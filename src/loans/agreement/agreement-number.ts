import { createHmac, timingSafeEqual } from 'node:crypto';

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
 * The unguessable part of a printed verification link (docs/decisions.md 39): an HMAC of the
 * agreement number with VERIFY_LINK_SECRET, 16 base64url characters (96 bits). Without it the
 * sequential numbers could be walked one by one.
 */
export function verifyCode(secret: string, agreementNumber: string): string {
  return createHmac('sha256', secret).update(agreementNumber).digest('base64url').slice(0, 16);
}

/** True when `code` is this agreement number's code (compared in constant time). */
export function isVerifyCode(secret: string, agreementNumber: string, code: string | undefined): boolean {
  if (typeof code !== 'string' || code.length !== 16) return false;
  return timingSafeEqual(Buffer.from(code), Buffer.from(verifyCode(secret, agreementNumber)));
}

/**
 * What the agreement's QR code carries: the public verification URL, whose last-but-one path
 * segment is the agreement number and whose `c` parameter is its code. A plain URL, so a phone
 * camera opens it directly, and the office's scanner reads the number back out of it
 * (`agreementNumberFromQr`).
 */
export function agreementQrPayload(publicBaseUrl: string, agreementNumber: string, secret: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/api/v1/agreements/${encodeURIComponent(agreementNumber)}/verify?c=${verifyCode(secret, agreementNumber)}`;
}

/** The agreement number in a scanned QR payload, or null when it is not one of ours. */
export function agreementNumberFromQr(payload: string): string | null {
  const match = /\/api\/v1\/agreements\/([^/?#]+)\/verify(?:[?#].*)?$/.exec(payload.trim());
  return match ? parseAgreementNumber(decodeURIComponent(match[1])) : null;
}
