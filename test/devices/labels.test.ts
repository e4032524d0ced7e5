import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import zxing from '@zxing/library';
import { randomUUID } from 'node:crypto';
import { binary, pdfText, renderPage, type RenderedPage, scanQr } from '../helpers/pdf.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem, get, newDevices, newFixture, type Fixture } from '../loans/loan-fixtures.js';
import { LABEL_LAYOUTS, MM } from '../../src/devices/labels/label-layouts.js';

/**
 * Asset-tag label sheets, read as a scanner reads them: each page is rendered, a label cut out
 * where the sheet puts it, and both its QR code (jsqr) and its Code 128 bar code (zxing) decoded;
 * what they say must be exactly the asset tag, which the desk's device lookup then finds.
 */

let t: TestApp;
let f: Fixture;
let tagsA: string[];
let tagsB: string[];
let retiredTag: string;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
  const idsA = await newDevices(t, f.catalogue, f.cast.schoolA.id, 30);
  const idsB = await newDevices(t, f.catalogue, f.cast.schoolB.id, 2);
  const [retired] = await newDevices(t, f.catalogue, f.cast.schoolA.id, 1, { status: 'retired' });
  const tags = async (ids: string[]) => (await t.db.query(`SELECT asset_tag FROM devices WHERE id = ANY($1) ORDER BY asset_tag`, [ids])).rows.map((r) => r.asset_tag as string);
  tagsA = await tags(idsA);
  tagsB = await tags(idsB);
  [retiredTag] = await tags([retired]);
});
afterAll(() => t?.close());

const sheet = (auth: string, query: Record<string, string>) =>
  t.http().get('/api/v1/devices/labels.pdf').query(query).set('authorization', auth).buffer(true).parse(binary as never);

/** The pixels of one label slot, by the layout's geometry. */
function slotRegion(page: RenderedPage, layoutName: keyof typeof LABEL_LAYOUTS, slot: number) {
  const l = LABEL_LAYOUTS[layoutName];
  const x = (l.left + (slot % l.columns) * (l.width + l.gapX)) * MM * page.scale;
  const y = (l.top + Math.floor(slot / l.columns) * (l.height + l.gapY)) * MM * page.scale;
  return { x: Math.floor(x), y: Math.floor(y), width: Math.floor(l.width * MM * page.scale), height: Math.floor(l.height * MM * page.scale) };
}

function readCode128(page: RenderedPage, region: { x: number; y: number; width: number; height: number }): string {
  const luminance = new Uint8ClampedArray(region.width * region.height);
  for (let row = 0; row < region.height; row++) {
    for (let col = 0; col < region.width; col++) {
      const i = ((region.y + row) * page.width + region.x + col) * 4;
      luminance[row * region.width + col] = (page.data[i] + page.data[i + 1] + page.data[i + 2]) / 3;
    }
  }
  const bitmap = new zxing.BinaryBitmap(new zxing.HybridBinarizer(new zxing.RGBLuminanceSource(luminance, region.width, region.height)));
  const hints = new Map<zxing.DecodeHintType, unknown>([[zxing.DecodeHintType.POSSIBLE_FORMATS, [zxing.BarcodeFormat.CODE_128]], [zxing.DecodeHintType.TRY_HARDER, true]]);
  return new zxing.MultiFormatReader().decode(bitmap, hints).getText();
}

describe('GET /api/v1/devices/labels.pdf', () => {
  it('prints a batch on 3x8 sheets: 24 labels a page, every live device once, in asset-tag order', async () => {
    const res = await sheet(f.cast.admin.auth, { batchId: f.catalogue.batchId, layout: '3x8' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-labels-count']).toBe('32');
    expect(res.headers['x-labels-next-after']).toBeUndefined();
    const { pages } = await pdfText(res.body);
    expect(pages).toHaveLength(2);
    const printed = pages.flatMap((p) => p.match(/LN-\d+/g) ?? []);
    const expected = [...tagsA, ...tagsB].sort();
    expect(printed).toEqual(expected);
    expect(printed.filter((_, i) => i < 24)).toHaveLength(24);
    expect(pages.join(' ')).not.toContain(retiredTag);
    expect(pages[0]).toContain('Barang milik daerah - Dinas Pendidikan');
  });

  it.each([
    ['3x8', 0],
    ['3x8', 23],
    ['2x7', 5],
  ] as const)('on a %s sheet, slot %i scans (QR and Code 128) to exactly its asset tag, which the device lookup finds', async (layout, slot) => {
    const res = await sheet(f.cast.operatorA.auth, { layout });
    expect(res.status).toBe(200);
    const page = await renderPage(res.body, 1, 3);
    const region = slotRegion(page, layout, slot);
    const tag = tagsA[slot];
    expect(scanQr(page, region)).toBe(tag);
    // A bar-code scanner is aimed at the bar code: the label's bottom strip, below the QR code.
    const strip = Math.ceil(13 * MM * page.scale);
    const bars = { ...region, y: region.y + region.height - strip, height: strip };
    const typed = readCode128(page, bars);
    expect(typed).toBe(tag);
    // What the scanner typed finds the device at the desk.
    const lookup = await get(t, f.cast.operatorA, `/api/v1/devices/lookup?code=${encodeURIComponent(typed)}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body.assetTag).toBe(tag);
  }, 30_000);

  it('2x7 sheets hold 14 labels a page', async () => {
    const res = await sheet(f.cast.operatorA.auth, { layout: '2x7' });
    const { pages } = await pdfText(res.body);
    expect(pages.map((p) => (p.match(/LN-\d+/g) ?? []).length)).toEqual([14, 14, 2]);
  });

  it('holds a school administrator to their own school, and continues after a given tag', async () => {
    const own = await sheet(f.cast.operatorA.auth, {});
    expect(own.status).toBe(200);
    const { text } = await pdfText(own.body);
    expect(text.match(/LN-\d+/g)).toEqual(tagsA);
    const batchOnly = await pdfText((await sheet(f.cast.operatorA.auth, { batchId: f.catalogue.batchId })).body);
    expect(batchOnly.text.match(/LN-\d+/g)).toEqual(tagsA);
    const elsewhere = await get(t, f.cast.operatorA, `/api/v1/devices/labels.pdf?schoolId=${f.cast.schoolB.id}`);
    expectProblem(elsewhere, 404);
    expect(elsewhere.body.code).toBe('school_not_found');
    const rest = await pdfText((await sheet(f.cast.operatorA.auth, { after: tagsA[23].toLowerCase() })).body);
    expect(rest.text.match(/LN-\d+/g)).toEqual(tagsA.slice(24));
  });

  it('refuses a request naming neither a batch nor a school, an unknown batch, and an unknown layout', async () => {
    const refused = async (query: string, status: number) => {
      const res = await get(t, f.cast.admin, `/api/v1/devices/labels.pdf${query}`);
      expectProblem(res, status);
      return res.body;
    };
    expect((await refused('', 400)).errors).toEqual([{ field: 'batchId', code: 'batch_or_school', params: {}, message: 'name a procurement batch (batchId) or a school (schoolId)' }]);
    expect(await refused(`?batchId=${randomUUID()}`, 404)).toMatchObject({ code: 'procurement_batch_not_found' });
    expect(await refused(`?schoolId=${randomUUID()}`, 404)).toMatchObject({ code: 'school_not_found' });
    expect((await refused(`?batchId=${f.catalogue.batchId}&layout=4x4`, 400)).errors).toEqual([expect.objectContaining({ field: 'layout', code: 'not_one_of', params: { allowed: '3x8, 2x7' } })]);
    expect((await refused(`?batchId=${f.catalogue.batchId}&after=${encodeURIComponent('<b>')}`, 400)).errors).toEqual([expect.objectContaining({ field: 'after', code: 'code_characters', params: {} })]);
  });
});
