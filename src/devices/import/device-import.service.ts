import { Injectable } from '@nestjs/common';
import { dryRunnable, importSummary, recorded, refuseIfAnyRowBad } from '../../common/csv-import/import-outcome.js';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import type { ImportMode } from '../../common/csv-import/csv-import.dto.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import { affected, copyInto, first, withFile } from '../../common/csv-import/copy.js';
import { ImportErrors, LISTED_ERRORS } from '../../common/csv-import/import-errors.js';
import { importError, renderRowError } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { Transactions } from '../../database/transactions.js';
import { type Catalogue, type CatalogueBatch, modelKey } from './device-csv.js';
import type { DeviceImportResponse } from './device-import.dto.js';
import { type FileScan, REGISTERED, scanFile } from './import-scan.js';
import {
  type Clashes,
  COPY_DEVICES,
  COPY_STAGING,
  CREATE_STAGING,
  DELETE_DEMOTED_SQL,
  DEMOTE_STAGED_SQL,
  deviceLine,
  INSERT_STAGED_SQL,
  REJECTED_CLASH_SQL,
  STAGED_CLASH_SQL,
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
      await tx.query(`SET LOCAL statement_timeout = '10min'`);
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
      return finish({ importId: dryRun ? null : importId, ...summary, imported: good, errors: errors.list().map((e) => renderRowError(e)) });
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
  await tx.query('SAVEPOINT device_import');
  const { scan, copyText } = await scanFile(file, catalogue, errors, deviceLine);
  try {
    await copyInto(tx, COPY_DEVICES, copyText);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await tx.query('ROLLBACK TO SAVEPOINT device_import');
    return null;
  }
  let good = scan.good;
  if (scan.demoted.lines.length) good -= await affected(tx, DELETE_DEMOTED_SQL, [scan.demoted.assetTags]);
  // Good rows met no registered code (or COPY would have failed); rejected ones may have, too.
  const { lines, fields, codes } = scan.rejectedCodes;
  if (lines.length) reportClashes(errors, scan, await first<Clashes>(tx, REJECTED_CLASH_SQL, [lines, fields, codes, LISTED_ERRORS]));
  return { scan, errors, good };
}

/** Every row into a staging table, the registered codes found in one join, the good rows inserted in one statement. */
async function importStaged(tx: EntityManager, file: CsvFile, catalogue: Catalogue): Promise<Outcome> {
  const errors = new ImportErrors();
  await tx.query(CREATE_STAGING);
  const { scan, copyText } = await scanFile(file, catalogue, errors, stagingLine);
  await copyInto(tx, COPY_STAGING, copyText);
  let good = scan.good;
  if (scan.demoted.lines.length) good -= await affected(tx, DEMOTE_STAGED_SQL, [scan.demoted.lines]);
  const clashes = await first<Clashes>(tx, STAGED_CLASH_SQL, [LISTED_ERRORS]);
  reportClashes(errors, scan, clashes);
  good -= clashes.demoted ?? 0;
  const inserted = good > 0 ? await affected(tx, INSERT_STAGED_SQL) : 0;
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
  const batches: CatalogueBatch[] = await tx.query(`SELECT id, contract_ref AS "contractRef", model_id AS "modelId" FROM procurement_batches`);
  const models: { id: string; manufacturer: string; model: string }[] = await tx.query(`SELECT id, manufacturer, model FROM device_models`);
  const schools: { id: string; npsn: string }[] = await tx.query(`SELECT id, npsn FROM schools`);
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
