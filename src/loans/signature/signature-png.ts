import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import pngjs from 'pngjs';
import { invalidField } from '../../common/errors.js';
import type { FieldCode, Params } from '../../i18n/i18n.js';

/** A drawn signature that passed every check, ready to store and to draw. */
export interface SignatureImage {
  png: Buffer;
  sha256: Buffer;
  width: number;
  height: number;
}

const FIELD = 'guardianSignaturePng';
const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/**
 * A signature pad on a phone or a tablet, at up to 3 device pixels per CSS pixel, stays well
 * inside these; the bounds are checked from the header before anything is decompressed, so a
 * small file claiming a huge image is refused without inflating it.
 */
export const SIGNATURE_BOUNDS = { minWidth: 32, minHeight: 16, maxWidth: 4000, maxHeight: 2000 } as const;

/** Base64 of the largest image `SIGNATURE_MAX_BYTES` may allow (512 KiB): the field's documented bound. */
export const SIGNATURE_BASE64_MAX_LENGTH = Math.ceil((512 * 1024) / 3) * 4;

/** The request field as sent: standard base64, no data-URL prefix, no line breaks. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes and checks a drawn signature: base64, at most `maxBytes`, the PNG signature bytes, an
 * IHDR whose dimensions lie within bounds, and an image that decodes completely (every chunk's
 * CRC, the compressed pixel data, nothing cut short, nothing after the end). Anything else is a 400 naming the field.
 */
export function parseSignaturePng(base64: string, maxBytes: number): SignatureImage {
  const refuse = (code: FieldCode, params: Params = {}) => invalidField(FIELD, code, params);
  if (!BASE64.test(base64)) throw refuse('signature_not_base64');
  const png = Buffer.from(base64, 'base64');
  if (png.length > maxBytes) throw refuse('signature_too_large', { bytes: png.length, max: maxBytes });
  if (png.length < 33 || !png.subarray(0, 8).equals(MAGIC)) throw refuse('not_png');
  // IHDR is always the first chunk: length 13 at byte 8, its type at 12, width and height at 16 and 20.
  if (png.readUInt32BE(8) !== 13 || png.toString('latin1', 12, 16) !== 'IHDR') throw refuse('png_no_header');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const b = SIGNATURE_BOUNDS;
  if (width < b.minWidth || width > b.maxWidth || height < b.minHeight || height > b.maxHeight) {
    throw refuse('signature_dimensions', { width, height, ...b });
  }
  if (!chunksIntact(png)) throw refuse('png_damaged');
  try {
    const decoded = pngjs.PNG.sync.read(png);
    if (decoded.width !== width || decoded.height !== height) throw new Error('dimensions disagree');
  } catch {
    throw refuse('png_undecodable');
  }
  return { png, sha256: createHash('sha256').update(png).digest(), width, height };
}


/**
 * Walks every chunk: each length stays inside the file, each CRC matches (the decoder below skips
 * the CRC of chunks it does not read, such as sBIT or tEXt), and the file ends with IEND.
 */
function chunksIntact(png: Buffer): boolean {
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const end = at + 12 + length;
    if (end > png.length) return false;
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== png.readUInt32BE(at + 8 + length)) return false;
    if (png.toString('latin1', at + 4, at + 8) === 'IEND') return end === png.length;
    at = end;
  }
  return false;
}
