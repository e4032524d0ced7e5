import jsQRModule from 'jsqr';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Response } from 'supertest';

/** Reading PDFs (and other binary answers) the way a person or a scanner would: text, pixels, QR codes. */

// jsqr is CommonJS with types declaring an ES default export: take whichever this loader hands over.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

/** supertest parser that keeps a binary body as a Buffer. */
export const binary = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const STANDARD_FONTS = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

export function openPdf(content: Buffer) {
  return getDocument({ data: new Uint8Array(content), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
}

/** Every page's text, whitespace collapsed, so a sentence that wraps still reads as one. */
export async function pdfText(content: Buffer): Promise<{ text: string; pages: string[] }> {
  const pdf = await openPdf(content);
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const page = await pdf.getPage(i);
    const items = (await page.getTextContent()).items as { str?: string; hasEOL?: boolean }[];
    pages.push(items.map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : ' ')).join('').replace(/\s+/g, ' '));
  }
  await pdf.destroy();
  return { text: pages.join(' '), pages };
}

export interface RenderedPage {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Uint8ClampedArray;
  /** PDF points to pixels. */
  scale: number;
}

/** Renders one page as a printer would (pdfjs on @napi-rs/canvas, no browser). */
export async function renderPage(content: Buffer, pageNumber = 1, scale = 2): Promise<RenderedPage> {
  const pdf = await openPdf(content);
  const page = await pdf.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  type Context = { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number } };
  const factory = (pdf as unknown as { canvasFactory: { create(w: number, h: number): { canvas: unknown; context: Context } } }).canvasFactory;
  const { canvas, context } = factory.create(viewport.width, viewport.height);
  await page.render({ canvas, canvasContext: context, viewport } as never).promise;
  const image = context.getImageData(0, 0, viewport.width, viewport.height);
  await pdf.destroy();
  return { width: image.width, height: image.height, data: image.data, scale };
}

/** Decodes the QR code in a rendered page (or a region of it, in pixels). */
export function scanQr(page: RenderedPage, region?: { x: number; y: number; width: number; height: number }): string | undefined {
  if (!region) return jsQR(page.data, page.width, page.height)?.data;
  const { x, y, width, height } = region;
  const crop = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) crop.set(page.data.subarray(((y + row) * page.width + x) * 4, ((y + row) * page.width + x + width) * 4), row * width * 4);
  return jsQR(crop, width, height)?.data;
}

/** Pixels matching `test` inside a rectangle given in PDF points (origin top left). */
export function countPixels(page: RenderedPage, box: { x: number; y: number; width: number; height: number }, test: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  const [x0, y0] = [Math.max(0, Math.floor(box.x * page.scale)), Math.max(0, Math.floor(box.y * page.scale))];
  const [x1, y1] = [Math.min(page.width, Math.ceil((box.x + box.width) * page.scale)), Math.min(page.height, Math.ceil((box.y + box.height) * page.scale))];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * page.width + x) * 4;
      if (test(page.data[i], page.data[i + 1], page.data[i + 2])) n++;
    }
  }
  return n;
}
