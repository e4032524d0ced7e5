import { describe, expect, it } from '@jest/globals';
import { isBlankRow, isCalendarDate } from '../../common/csv-import/csv-records.js';
import { ImportErrors, type RankedError } from '../../common/csv-import/import-errors.js';
import { importError, renderRowError } from '../../common/errors.js';
import { type Catalogue, readHeader, readRow } from './device-csv.js';

const BATCH = { id: '11111111-1111-4111-8111-111111111111', contractRef: 'SPK/1/2027', modelId: '22222222-2222-4222-8222-222222222222' };
const OTHER_MODEL = '33333333-3333-4333-8333-333333333333';
const catalogue: Catalogue = {
  batchById: new Map([[BATCH.id, BATCH]]),
  batchByRef: new Map([[BATCH.contractRef, BATCH]]),
  modelIds: new Set([BATCH.modelId, OTHER_MODEL]),
  modelByName: new Map<string, string | null>([
    ['acer chromebook 314', BATCH.modelId],
    ['lenovo 100e', OTHER_MODEL],
    ['twin model', null],
  ]),
  schoolByNpsn: new Map([['10210001', '44444444-4444-4444-8444-444444444444']]),
};

const { layout } = readHeader(['Asset Tag', 'serial-number', 'contract_ref', 'model', 'school_npsn', 'condition', 'accessories', 'warranty_ends_on', 'notes']);

function check(cells: string[]) {
  const errors: RankedError[] = [];
  const result = readRow(cells, 7, layout, catalogue, (e) => errors.push(e));
  return { ...result, errors: errors.map((e) => `${e.field}: ${renderRowError(e, 'en').message}`) };
}

describe('readHeader', () => {
  it('accepts column names in any case, with spaces or hyphens', () => {
    expect(layout.position).toMatchObject({ asset_tag: 0, serial_number: 1, contract_ref: 2, notes: 8 });
  });

  it('names every problem on line 1', () => {
    const { errors } = readHeader(['asset_tag', 'batch_id', 'contract_ref', 'model_id', 'model', 'asset_tag', 'colour']);
    expect(errors.map((e) => `${e.line} ${e.field}`).sort()).toEqual(
      ['1 asset_tag', '1 colour', '1 contract_ref', '1 model', '1 serial_number'].sort(),
    );
  });
});

describe('readRow', () => {
  it('normalises codes, resolves the catalogue and applies defaults', () => {
    const { row, errors } = check([' mdn-1 ', 'sn-1', 'SPK/1/2027', '', '', '', '', '', '']);
    expect(errors).toEqual([]);
    expect(row).toEqual({
      assetTag: 'MDN-1',
      serialNumber: 'SN-1',
      modelId: BATCH.modelId,
      batchId: BATCH.id,
      schoolId: null,
      condition: 'new',
      accessories: '{}',
      warrantyEndsOn: null,
      notes: null,
    });
  });

  it('reads model names loosely, accessories as a checklist, and the school by NPSN', () => {
    const { row } = check(['A', 'B', 'SPK/1/2027', '  ACER   Chromebook 314 ', '10210001', 'Fair', 'Charger; bag;charger', '2030-12-31', 'ok']);
    expect(row).toMatchObject({ schoolId: '44444444-4444-4444-8444-444444444444', condition: 'fair', accessories: '{"bag":true,"charger":true}', warrantyEndsOn: '2030-12-31' });
  });

  it('reports every problem in the row, keeping the codes for duplicate checks', () => {
    const result = check(['mdn-1', 'sn 1', 'SPK/9', 'Nokia 3310', '1021', 'shiny', 'lamp shade', '2030-13-01', 'x'.repeat(2001)]);
    expect(result.row).toBeNull();
    expect(result.assetTag).toBe('MDN-1');
    expect(result.serialNumber).toBeNull();
    expect(result.errors).toEqual([
      'serial_number: may hold letters, digits and . _ / - (starting with a letter or digit)',
      'contract_ref: no procurement batch has this contract reference',
      'model: no device model is called this (write the manufacturer, then the model)',
      'school_npsn: must be exactly 8 digits, or empty for the central store',
      'condition: must be one of new, good, fair, poor, broken',
      'accessories: "lamp shade" is not an accessory name (a short word: letters, digits, _)',
      'warranty_ends_on: must be a date written YYYY-MM-DD',
      'notes: must be at most 2000 characters',
    ]);
  });

  it('refuses a model the batch did not buy, and a name two models share', () => {
    expect(check(['A', 'B', 'SPK/1/2027', 'Lenovo 100e', '', '', '', '', '']).errors).toEqual(['model: procurement batch SPK/1/2027 bought a different model']);
    expect(check(['A', 'B', 'SPK/1/2027', 'Twin Model', '', '', '', '', '']).errors).toEqual(['model: more than one device model reads like this; use model_id']);
  });

  it('a row with the wrong number of cells is one error for the whole row', () => {
    expect(check(['A', 'B']).errors).toEqual(['row: has 2 cells; the header has 9']);
  });
});

describe('helpers', () => {
  it.each([
    ['2030-01-31', true],
    ['2028-02-29', true],
    ['2027-02-29', false],
    ['2030-02-30', false],
    ['0000-01-01', false],
    ['31/12/2030', false],
    ['2030-1-1', false],
  ])('isCalendarDate(%s) is %s', (text, expected) => expect(isCalendarDate(text)).toBe(expected));

  it('treats rows of empty cells as blank', () => {
    expect(isBlankRow(['', ' ', ''])).toBe(true);
    expect(isBlankRow(['', 'x'])).toBe(false);
  });

  it('ImportErrors keeps the first errors by line and counts them all', () => {
    const errors = new ImportErrors(3);
    for (const line of [9, 2, 7, 5, 3, 8, 4]) errors.add({ ...importError(line, 'f', 'required'), rank: 0 });
    errors.countUnlisted(5);
    expect(errors.list().map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors.total).toBe(12);
    expect(errors.truncated).toBe(true);
  });
});
