import { Injectable } from '@nestjs/common';
import { dryRunnable, importSummary, recorded, refuseIfAnyRowBad } from '../../common/csv-import/import-outcome.js';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { answerLanguage } from '../../common/request-context.js';
import type { ImportMode } from '../../common/csv-import/csv-import.dto.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import { copyInto, withFile } from '../../common/csv-import/copy.js';
import { ImportErrors, LISTED_ERRORS } from '../../common/csv-import/import-errors.js';
import { importError, renderRowError } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { type Catalogue, modelKey } from './device-csv.js';
import type { DeviceImportResponse } from './device-import.dto.js';
import { type FileScan, REGISTERED, scanFile } from './import-scan.js';
import {
  type Clashes,
  COPY_DEVICES,
  COPY_STAGING,
  DEVICE_IMPORT_CATALOGUE_BATCHES,
  DEVICE_IMPORT_CATALOGUE_MODELS,
  DEVICE_IMPORT_CATALOGUE_SCHOOLS,
  DEVICE_IMPORT_CREATE_STAGING,
  DEVICE_IMPORT_DELETE_DEMOTED,
  DEVICE_IMPORT_DEMOTE_STAGED,
  DEVICE_IMPORT_INSERT_STAGED,
  DEVICE_IMPORT_REJECTED_CLASHES,
  DEVICE_IMPORT_ROLLBACK,
  DEVICE_IMPORT_SAVEPOINT,
  DEVICE_IMPORT_STAGED_CLASHES,
  DEVICE_IMPORT_TIMEOUT,
  deviceLine,
  stagingLine,
} from './import-sql.js';

/** How a file went in: what was read, every error, and how many rows are good in the end. */
interface Outcome {
  scan: FileScan;
  errors: ImportErrors;
  good: number;
}

/**
 * Registers devices from a CSV file in one transaction, with one audit event for the whole
 * import. Rows are parsed, checked and COPYed as the file is read; see `import-sql.ts` for the
 * direct way (the usual one) and the staged way (when some codes are already registered).
 */
@Injectable()
export class DeviceImportService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  importDevices(actor: Actor, file: CsvFile, mode: ImportMode, dryRun: boolean, idempotency?: IdempotencyRequest): Promise<DeviceImportResponse> {
    assertRole(actor, ['program_admin']);
    // A dry run is checked again each time it is asked: there is nothing to replay.
    return dryRunnable(dryRun, (finish) => this.transactions.run(dryRun ? undefined : withFile(idempotency, file, mode), async (tx) => {
      // A large file legitimately takes longer than the per-statement limit meant for API calls.
      await runStatement(tx, DEVICE_IMPORT_TIMEOUT, []);
      const catalogue = await loadCatalogue(tx);
      const { scan, errors, good } = (await importDirect(tx, file, catalogue)) ?? (await importStaged(tx, file, catalogue));

      const summary = importSummary(mode, dryRun, file, scan.rows, good, errors);
      refuseIfAnyRowBad(summary, errors, { imported: 0 });
      const importId = randomUUID();
      await this.audit.record(tx, actor, {
        action: 'device.imported',
        entityType: 'device_import',
        entityId: importId,
        schoolId: null,
        after: { ...recorded(summary), filename: file.filename, imported: good },
      });
      const language = answerLanguage(actor);
      return finish({ importId: dryRun ? null : importId, ...summary, imported: good, errors: errors.list().map((e) => renderRowError(e, language)) });
    }));
  }
}

/**
 * COPYs the good rows straight into `devices` as the file is parsed. A unique violation means a
 * code is already registered: everything is rolled back to the savepoint and null returned, so
 * that the staged way can find and report every such code.
 */
async function importDirect(tx: EntityManager, file: CsvFile, catalogue: Catalogue): Promise<Outcome | null> {
  const errors = new ImportErrors();
  await runStatement(tx, DEVICE_IMPORT_SAVEPOINT, []);
  const { scan, copyText } = await scanFile(file, catalogue, errors, deviceLine);
  try {
    await copyInto(tx, COPY_DEVICES, copyText);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await runStatement(tx, DEVICE_IMPORT_ROLLBACK, []);
    return null;
  }
  let good = scan.good;
  if (scan.demoted.lines.length) good -= (await runStatement(tx, DEVICE_IMPORT_DELETE_DEMOTED, [scan.demoted.assetTags]))[0].count;
  // Good rows met no registered code (or COPY would have failed); rejected ones may have, too.
  const { lines, fields, codes } = scan.rejectedCodes;
  if (lines.length) reportClashes(errors, scan, (await runStatement(tx, DEVICE_IMPORT_REJECTED_CLASHES, [lines, fields, codes, LISTED_ERRORS]))[0]);
  return { scan, errors, good };
}

/** Every row into a staging table, the registered codes found in one join, the good rows inserted in one statement. */
async function importStaged(tx: EntityManager, file: CsvFile, catalogue: Catalogue): Promise<Outcome> {
  const errors = new ImportErrors();
  await runStatement(tx, DEVICE_IMPORT_CREATE_STAGING, []);
  const { scan, copyText } = await scanFile(file, catalogue, errors, stagingLine);
  await copyInto(tx, COPY_STAGING, copyText);
  let good = scan.good;
  if (scan.demoted.lines.length) good -= (await runStatement(tx, DEVICE_IMPORT_DEMOTE_STAGED, [scan.demoted.lines]))[0].count;
  const [clashes] = await runStatement(tx, DEVICE_IMPORT_STAGED_CLASHES, [LISTED_ERRORS]);
  reportClashes(errors, scan, clashes);
  good -= clashes.demoted ?? 0;
  const inserted = good > 0 ? (await runStatement(tx, DEVICE_IMPORT_INSERT_STAGED, []))[0].count : 0;
  if (inserted !== good) throw new Error(`import counted ${good} good rows but inserted ${inserted}`);
  return { scan, errors, good };
}

function reportClashes(errors: ImportErrors, scan: FileScan, clashes: Clashes): void {
  for (const { line, field, value } of clashes.listed) {
    errors.add({ ...importError(line, field, REGISTERED[field], { code: value }, value), rank: scan.layout.position[field] ?? -1 });
  }
  errors.countUnlisted(clashes.total - clashes.listed.length);
}

async function loadCatalogue(tx: EntityManager): Promise<Catalogue> {
  const batches = await runStatement(tx, DEVICE_IMPORT_CATALOGUE_BATCHES, []);
  const models = await runStatement(tx, DEVICE_IMPORT_CATALOGUE_MODELS, []);
  const schools = await runStatement(tx, DEVICE_IMPORT_CATALOGUE_SCHOOLS, []);
  const modelByName = new Map<string, string | null>();
  for (const m of models) {
    const key = modelKey(`${m.manufacturer} ${m.model}`);
    modelByName.set(key, modelByName.has(key) ? null : m.id);
  }
  return {
    batchById: new Map(batches.map((b) => [b.id, b])),
    batchByRef: new Map(batches.map((b) => [b.contractRef, b])),
    modelIds: new Set(models.map((m) => m.id)),
    modelByName,
    schoolByNpsn: new Map(schools.map((s) => [s.npsn, s.id])),
  };
}
