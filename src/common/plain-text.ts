import { fieldError, type FieldError } from './errors.js';

/**
 * Text as the service stores it (docs/api.md, "Text"): every string a client sends in a JSON body
 * or a query, at any depth, is NFC-normalised (so "é" typed two ways is one name, one search) and
 * refused (400, with its field) when it holds
 * - a control character other than tab, line feed and carriage return (`control_characters`),
 * - a bidirectional override or isolate, U+202A-U+202E and U+2066-U+2069, which make a printed
 *   agreement or a log line read differently from what is stored (`bidi_control`),
 * - nothing but invisible characters (zero-width spaces, fillers...) where something was typed
 *   (`only_invisible`).
 * Secret fields (passwords) are left exactly as sent: their own rules apply, and normalising one
 * would stop an existing password from matching.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/u;
/** Format characters, separators and the Hangul fillers a name field could be "filled" with. */
const INVISIBLE = /[\p{Cf}\p{Z}\s\u115F\u1160\u3164\uFFA0\u034F\u180E]/gu;
const HAS_FORMAT = /[\p{Cf}\u115F\u1160\u3164\uFFA0\u034F\u180E]/u;
const SECRET = /password|secret/i;

/** Returns `value` with every string normalised; appends a field error for each bad one. */
export function plainText(value: unknown, errors: FieldError[], field = ''): unknown {
  if (typeof value === 'string') {
    if (CONTROL.test(value)) errors.push(fieldError(field || 'body', 'control_characters'));
    else if (BIDI.test(value)) errors.push(fieldError(field || 'body', 'bidi_control'));
    else if (value !== '' && HAS_FORMAT.test(value) && value.replace(INVISIBLE, '') === '') errors.push(fieldError(field || 'body', 'only_invisible'));
    return value.normalize('NFC');
  }
  // An item of a list is named by the list, as class-validator's `each` rules name it.
  if (Array.isArray(value)) return value.map((item) => plainText(item, errors, field));
  // Plain data only (JSON bodies, and query objects, which Fastify builds without Object.prototype).
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET.test(key) ? item : plainText(item, errors, field ? `${field}.${key}` : key);
    }
    return out;
  }
  return value;
}
