import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, RequireRoles } from '../../auth/auth.decorators.js';
import { ApiProblems, problem } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { ProblemResponse } from '../../common/problem.dto.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ImportModeQuery, ImportProblem } from '../../common/csv-import/csv-import.dto.js';
import { CsvUpload, csvFileRequestBody, readCsvUpload } from '../../common/csv-import/csv-upload.js';
import { DeviceImportResponse } from './device-import.dto.js';
import { DeviceImportService } from './device-import.service.js';

const EXAMPLE_CSV = [
  'asset_tag,serial_number,contract_ref,model,school_npsn,condition,accessories,warranty_ends_on,notes',
  'MDN-LPT-000001,NXK8ESN0001,SPK/027/DISDIK/2027,Acer Chromebook 314,10210001,new,charger;bag,2030-01-31,',
  'MDN-LPT-000002,NXK8ESN0002,SPK/027/DISDIK/2027,,,,charger,,"spare unit, central store"',
].join('\n');

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/devices')
export class DeviceImportController {
  constructor(
    private readonly imports: DeviceImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('import')
  @HttpCode(200)
  @CsvUpload()
  @RequireRoles('program_admin')
  @ApiOperation({
    summary: 'Register devices from a CSV file',
    description:
      'Program administrators only. The file goes as the `text/csv` body, or as `multipart/form-data` in a field named `file`; ' +
      'columns and rules are in docs/devices.md ("CSV import"). Every bad row is reported with its line, column and reason ' +
      '(the first 1000 errors are listed, `errorCount` counts all). `mode=all-or-nothing` (default) writes nothing when any row ' +
      'is bad and answers 422 with the errors; `mode=partial` registers the good rows and answers 200 with the bad ones. ' +
      'One `device.imported` audit event per import. `dryRun=true` checks the file and answers the same (200 or 422) without ' +
      'writing anything, so the errors can be fixed before the real import. With an Idempotency-Key, a retry of the same file and mode replays the first answer.',
    requestBody: csvFileRequestBody(EXAMPLE_CSV),
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: DeviceImportResponse, description: 'Imported (in partial mode, possibly with rejected rows)' })
  @ApiProblems(400, 409, 413, 415)
  @ApiProblems(problem(422, ImportProblem, ProblemResponse))
  async importDevices(
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Query() query: ImportModeQuery,
    @Idempotency() idempotency?: IdempotencyRequest,
  ) {
    const file = await readCsvUpload(request, this.config.importLimitBytes);
    return this.imports.importDevices(actor, file, query.mode ?? 'all-or-nothing', query.dryRun === 'true', idempotency);
  }
}
