import { isCalendarDate, shown } from '../../common/csv-import/csv-records.js';
import type { RankedError } from '../../common/csv-import/import-errors.js';
import { DEVICE_CONDITIONS, type DeviceCondition, normaliseCode } from '../device.entity.js';

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
  const fail = (field: string, message: string, rank: number, value?: string) =>
    errors.push({ line: HEADER_LINE, field, message, rank, ...(value === undefined ? {} : { value: shown(value) }) });

  cells.forEach((cell, index) => {
    const name = columnName(cell);
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      fail(name || `column ${index + 1}`, `unknown column; the columns are ${IMPORT_COLUMNS.join(', ')}`, index, cell);
    } else if (position[name as ImportColumn] !== undefined) {
      fail(name, `appears twice in the header (columns ${position[name as ImportColumn]! + 1} and ${index + 1})`, index);
    } else {
      position[name as ImportColumn] = index;
    }
  });
  const end = cells.length;
  for (const column of ['asset_tag', 'serial_number'] as const) {
    if (position[column] === undefined) fail(column, 'required column is missing from the header', end);
  }
  if (position.batch_id === undefined && position.contract_ref === undefined) {
    fail('batch_id', 'required column is missing from the header: give batch_id or contract_ref', end);
  }
  if (position.batch_id !== undefined && position.contract_ref !== undefined) {
    fail('contract_ref', 'give batch_id or contract_ref, not both', position.contract_ref);
  }
  if (position.model_id !== undefined && position.model !== undefined) {
    fail('model', 'give model_id or model, not both', position.model);
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
    report({ line, field: 'row', rank: -1, message: `has ${cells.length} cells; the header has ${layout.width}` });
    return { assetTag: null, serialNumber: null, row: null };
  }
  let ok = true;
  const p = layout.position;
  const cell = (column: ImportColumn) => (p[column] === undefined ? '' : cells[p[column]!].trim());
  const fail = (column: ImportColumn, message: string, value?: string) => {
    ok = false;
    report({ line, field: column, rank: p[column] ?? -1, message, ...(value ? { value: shown(value) } : {}) });
  };

  const assetTag = readCode(cell('asset_tag'), 50, 'asset_tag', fail);
  const serialNumber = readCode(cell('serial_number'), 100, 'serial_number', fail);
  const batch = readBatch(cell, p, catalogue, fail);
  const modelId = readModel(cell, p, catalogue, batch, fail);

  let schoolId: string | null = null;
  const npsn = cell('school_npsn');
  if (npsn !== '') {
    if (!NPSN.test(npsn)) fail('school_npsn', 'must be exactly 8 digits, or empty for the central store', npsn);
    else if (!catalogue.schoolByNpsn.has(npsn)) fail('school_npsn', 'no school has this NPSN', npsn);
    else schoolId = catalogue.schoolByNpsn.get(npsn)!;
  }

  const conditionText = cell('condition').toLowerCase();
  const condition = (conditionText || 'new') as DeviceCondition;
  if (!DEVICE_CONDITIONS.includes(condition)) fail('condition', `must be one of ${DEVICE_CONDITIONS.join(', ')}`, cell('condition'));

  const accessories = readAccessories(cell('accessories'), fail);

  const warranty = cell('warranty_ends_on');
  if (warranty !== '' && !isCalendarDate(warranty)) fail('warranty_ends_on', 'must be a date written YYYY-MM-DD', warranty);

  const notes = cell('notes');
  if (notes.length > MAX_NOTES) fail('notes', `must be at most ${MAX_NOTES} characters`);

  const row =
    ok && assetTag && serialNumber && batch && modelId && accessories !== null
      ? { assetTag, serialNumber, modelId, batchId: batch.id, schoolId, condition, accessories, warrantyEndsOn: warranty || null, notes: notes || null }
      : null;
  return { assetTag, serialNumber, row };
}

type Fail = (column: ImportColumn, message: string, value?: string) => void;
type Cell = (column: ImportColumn) => string;

function readCode(raw: string, max: number, column: 'asset_tag' | 'serial_number', fail: Fail): string | null {
  if (raw === '') {
    fail(column, 'is required');
    return null;
  }
  const code = normaliseCode(raw);
  if (code.length > max) fail(column, `must be at most ${max} characters`, raw);
  else if (!CODE.test(code)) fail(column, 'may hold letters, digits and . _ / - (starting with a letter or digit)', raw);
  else return code;
  return null;
}

function readBatch(cell: Cell, p: HeaderLayout['position'], catalogue: Catalogue, fail: Fail): CatalogueBatch | null {
  if (p.batch_id !== undefined) {
    const id = cell('batch_id');
    if (id === '') fail('batch_id', 'is required');
    else if (!UUID.test(id)) fail('batch_id', 'must be a UUID', id);
    else if (!catalogue.batchById.has(id.toLowerCase())) fail('batch_id', 'no procurement batch has this id', id);
    else return catalogue.batchById.get(id.toLowerCase())!;
    return null;
  }
  const ref = cell('contract_ref');
  if (ref === '') fail('contract_ref', 'is required');
  else if (!catalogue.batchByRef.has(ref)) fail('contract_ref', 'no procurement batch has this contract reference', ref);
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
    fail(column, `procurement batch ${batch.contractRef} bought a different model`, raw);
    return null;
  }
  return modelId;
}

function modelById(raw: string, catalogue: Catalogue, fail: Fail): string | null {
  if (!UUID.test(raw)) fail('model_id', 'must be a UUID', raw);
  else if (!catalogue.modelIds.has(raw.toLowerCase())) fail('model_id', 'no device model has this id', raw);
  else return raw.toLowerCase();
  return null;
}

function modelByName(raw: string, catalogue: Catalogue, fail: Fail): string | null {
  const id = catalogue.modelByName.get(modelKey(raw));
  if (id === undefined) fail('model', 'no device model is called this (write the manufacturer, then the model)', raw);
  else if (id === null) fail('model', 'more than one device model reads like this; use model_id', raw);
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
  if (bad !== undefined) fail('accessories', `"${bad.slice(0, 40)}" is not an accessory name (a short word: letters, digits, _)`, raw);
  else if (names.length > MAX_ACCESSORIES) fail('accessories', `at most ${MAX_ACCESSORIES} accessories`, raw);
  else kit = JSON.stringify(Object.fromEntries(names.sort().map((n) => [n, true])));
  // Only good kits are cached, so every bad row still reports its own error.
  if (kit !== null && kitCache.size < 1000) kitCache.set(raw, kit);
  return kit;
}
