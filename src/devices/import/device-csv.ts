import { isCalendarDate, shown } from '../../common/csv-import/csv-records.js';
import type { RankedError } from '../../common/csv-import/import-errors.js';
import { DEVICE_CONDITIONS, type DeviceCondition, normaliseCode } from '../device.entity.js';
import type { ImportCode, Params } from '../../i18n/i18n.js';
import { importError } from '../../common/errors.js';

/**
 * The device CSV format: the header, and the rules for one row. Pure functions, no database:
 * the catalogue (batches, models, schools) is looked up in maps the service loads once.
 * docs/devices.md ("CSV import") is the user-facing description of the same rules.
 */

export const IMPORT_COLUMNS = [
  'asset_tag',
  'serial_number',
  'batch_id',
  'contract_ref',
  'model_id',
  'model',
  'school_npsn',
  'condition',
  'accessories',
  'warranty_ends_on',
  'notes',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Where each known column sits in the file's header. */
export interface HeaderLayout {
  position: Partial<Record<ImportColumn, number>>;
  width: number;
}

export interface CatalogueBatch {
  id: string;
  contractRef: string;
  modelId: string;
}

/** The catalogue as the rows refer to it; loaded once per import. */
export interface Catalogue {
  batchById: Map<string, CatalogueBatch>;
  batchByRef: Map<string, CatalogueBatch>;
  modelIds: Set<string>;
  /** Normalised "manufacturer model" -> id, or null when two models read the same. */
  modelByName: Map<string, string | null>;
  schoolByNpsn: Map<string, string>;
}

/** A row that passed every check, ready for the staging table. */
export interface DeviceRow {
  assetTag: string;
  serialNumber: string;
  modelId: string;
  batchId: string;
  schoolId: string | null;
  condition: DeviceCondition;
  /** The accessories kit as JSON text (`{"bag":true,"charger":true}`). */
  accessories: string;
  warrantyEndsOn: string | null;
  notes: string | null;
}

/** What one row yields: its codes when they are well-formed (for duplicate checks) and the row when it is good. */
export interface RowResult {
  assetTag: string | null;
  serialNumber: string | null;
  row: DeviceRow | null;
}

export const HEADER_LINE = 1;
const CODE = /^[A-Z0-9][A-Z0-9._/-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NPSN = /^\d{8}$/;
const ACCESSORY = /^[a-z][a-z0-9_]{0,39}$/;
const MAX_ACCESSORIES = 30;
const MAX_NOTES = 2000;

/** "Asset Tag", "asset-tag" and "ASSET_TAG" all name `asset_tag`. */
const columnName = (cell: string) => cell.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** Model names as people type them: case and spacing do not matter. */
export const modelKey = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** Reads the header row. Any error here is a 400 before a single row is looked at. */
export function readHeader(cells: string[]): { layout: HeaderLayout; errors: RankedError[] } {
  const position: Partial<Record<ImportColumn, number>> = {};
  const errors: RankedError[] = [];
  const fail = (field: string, code: ImportCode, params: Params, rank: number, value?: string) =>
    errors.push({ ...importError(HEADER_LINE, field, code, params, value === undefined ? undefined : shown(value)), rank });

  cells.forEach((cell, index) => {
    const name = columnName(cell);
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      fail(name || `column ${index + 1}`, 'device_unknown_column', { columns: IMPORT_COLUMNS.join(', ') }, index, cell);
    } else if (position[name as ImportColumn] !== undefined) {
      fail(name, 'column_twice', { first: position[name as ImportColumn]! + 1, second: index + 1 }, index);
    } else {
      position[name as ImportColumn] = index;
    }
  });
  const end = cells.length;
  for (const column of ['asset_tag', 'serial_number'] as const) {
    if (position[column] === undefined) fail(column, 'column_missing', {}, end);
  }
  if (position.batch_id === undefined && position.contract_ref === undefined) {
    fail('batch_id', 'batch_column_missing', {}, end);
  }
  if (position.batch_id !== undefined && position.contract_ref !== undefined) {
    fail('contract_ref', 'not_both', { first: 'batch_id', second: 'contract_ref' }, position.contract_ref);
  }
  if (position.model_id !== undefined && position.model !== undefined) {
    fail('model', 'not_both', { first: 'model_id', second: 'model' }, position.model);
  }
  return { layout: { position, width: cells.length }, errors };
}

/**
 * Checks one data row and reports every problem in it, not just the first. Codes are normalised
 * as `POST /devices` does (trimmed, upper-case); empty optional cells take their defaults.
 */
export function readRow(
  cells: string[],
  line: number,
  layout: HeaderLayout,
  catalogue: Catalogue,
  report: (error: RankedError) => void,
): RowResult {
  if (cells.length !== layout.width) {
    report({ ...importError(line, 'row', 'cell_count', { cells: cells.length, width: layout.width }), rank: -1 });
    return { assetTag: null, serialNumber: null, row: null };
  }
  let ok = true;
  const p = layout.position;
  const cell = (column: ImportColumn) => (p[column] === undefined ? '' : cells[p[column]!].trim());
  const fail: Fail = (column, code, params = {}, value) => {
    ok = false;
    report({ ...importError(line, column, code, params, value ? shown(value) : undefined), rank: p[column] ?? -1 });
  };

  const assetTag = readCode(cell('asset_tag'), 50, 'asset_tag', fail);
  const serialNumber = readCode(cell('serial_number'), 100, 'serial_number', fail);
  const batch = readBatch(cell, p, catalogue, fail);
  const modelId = readModel(cell, p, catalogue, batch, fail);

  let schoolId: string | null = null;
  const npsn = cell('school_npsn');
  if (npsn !== '') {
    if (!NPSN.test(npsn)) fail('school_npsn', 'npsn_or_empty', {}, npsn);
    else if (!catalogue.schoolByNpsn.has(npsn)) fail('school_npsn', 'unknown_npsn', {}, npsn);
    else schoolId = catalogue.schoolByNpsn.get(npsn)!;
  }

  const conditionText = cell('condition').toLowerCase();
  const condition = (conditionText || 'new') as DeviceCondition;
  if (!DEVICE_CONDITIONS.includes(condition)) fail('condition', 'not_one_of', { allowed: DEVICE_CONDITIONS.join(', ') }, cell('condition'));

  const accessories = readAccessories(cell('accessories'), fail);

  const warranty = cell('warranty_ends_on');
  if (warranty !== '' && !isCalendarDate(warranty)) fail('warranty_ends_on', 'not_ymd_date', {}, warranty);

  const notes = cell('notes');
  if (notes.length > MAX_NOTES) fail('notes', 'too_long', { max: MAX_NOTES });

  const row =
    ok && assetTag && serialNumber && batch && modelId && accessories !== null
      ? { assetTag, serialNumber, modelId, batchId: batch.id, schoolId, condition, accessories, warrantyEndsOn: warranty || null, notes: notes || null }
      : null;
  return { assetTag, serialNumber, row };
}

type Fail = (column: ImportColumn, code: ImportCode, params?: Params, value?: string) => void;
type Cell = (column: ImportColumn) => string;

function readCode(raw: string, max: number, column: 'asset_tag' | 'serial_number', fail: Fail): string | null {
  if (raw === '') {
    fail(column, 'required');
    return null;
  }
  const code = normaliseCode(raw);
  if (code.length > max) fail(column, 'too_long', { max }, raw);
  else if (!CODE.test(code)) fail(column, 'code_characters', {}, raw);
  else return code;
  return null;
}

function readBatch(cell: Cell, p: HeaderLayout['position'], catalogue: Catalogue, fail: Fail): CatalogueBatch | null {
  if (p.batch_id !== undefined) {
    const id = cell('batch_id');
    if (id === '') fail('batch_id', 'required');
    else if (!UUID.test(id)) fail('batch_id', 'not_uuid', {}, id);
    else if (!catalogue.batchById.has(id.toLowerCase())) fail('batch_id', 'unknown_batch', {}, id);
    else return catalogue.batchById.get(id.toLowerCase())!;
    return null;
  }
  const ref = cell('contract_ref');
  if (ref === '') fail('contract_ref', 'required');
  else if (!catalogue.batchByRef.has(ref)) fail('contract_ref', 'unknown_contract_ref', {}, ref);
  else return catalogue.batchByRef.get(ref)!;
  return null;
}

/** The batch decides the model; a model cell, when given, must agree with it. */
function readModel(cell: Cell, p: HeaderLayout['position'], catalogue: Catalogue, batch: CatalogueBatch | null, fail: Fail): string | null {
  const column = p.model_id !== undefined ? 'model_id' : 'model';
  const raw = cell(column);
  if (raw === '') return batch?.modelId ?? null;
  const modelId = column === 'model_id' ? modelById(raw, catalogue, fail) : modelByName(raw, catalogue, fail);
  if (modelId && batch && batch.modelId !== modelId) {
    fail(column, 'batch_other_model', { contractRef: batch.contractRef }, raw);
    return null;
  }
  return modelId;
}

function modelById(raw: string, catalogue: Catalogue, fail: Fail): string | null {
  if (!UUID.test(raw)) fail('model_id', 'not_uuid', {}, raw);
  else if (!catalogue.modelIds.has(raw.toLowerCase())) fail('model_id', 'unknown_model', {}, raw);
  else return raw.toLowerCase();
  return null;
}

function modelByName(raw: string, catalogue: Catalogue, fail: Fail): string | null {
  const id = catalogue.modelByName.get(modelKey(raw));
  if (id === undefined) fail('model', 'unknown_model_name', {}, raw);
  else if (id === null) fail('model', 'ambiguous_model_name', {}, raw);
  return id ?? null;
}

/** Most rows share a handful of kits; the JSON for each is built once. */
const kitCache = new Map<string, string | null>();

function readAccessories(raw: string, fail: Fail): string | null {
  const cached = kitCache.get(raw);
  if (cached !== undefined) return cached;
  const names = [...new Set(raw.split(';').map((n) => n.trim().toLowerCase()).filter(Boolean))];
  let kit: string | null = null;
  const bad = names.find((n) => !ACCESSORY.test(n));
  if (bad !== undefined) fail('accessories', 'not_accessory_name', { name: bad.slice(0, 40) }, raw);
  else if (names.length > MAX_ACCESSORIES) fail('accessories', 'too_many_accessories', { max: MAX_ACCESSORIES }, raw);
  else kit = JSON.stringify(Object.fromEntries(names.sort().map((n) => [n, true])));
  // Only good kits are cached, so every bad row still reports its own error.
  if (kit !== null && kitCache.size < 1000) kitCache.set(raw, kit);
  return kit;
}
