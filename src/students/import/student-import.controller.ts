import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems, problem } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { CsvUpload, csvFileRequestBody, readCsvUpload } from '../../common/csv-import/csv-upload.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { ProblemResponse } from '../../common/problem.dto.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { StudentImportProblem, StudentImportQuery, StudentImportResponse } from './student-import.dto.js';
import { StudentImportService } from './student-import.service.js';

const EXAMPLE_CSV = [
  'No,Nama,NIPD,JK,NISN,Tempat Lahir,Tanggal Lahir,NIK,HP,Nama Ayah,Nama Ibu,Nama Wali,Rombel Saat Ini,Penerima KIP,Layak PIP,No KK',
  '1,PUTRI AYU LESTARI,2425001,P,0071234567,Medan,2013-05-17,1271015705130001,081234567890,Budi Santoso,Sri Wahyuni,,8B,Ya,Tidak,1271010101010001',
  '2,RIZKY PRATAMA,2425002,L,0081234568,Medan,02/11/2012,,0813-9876-5432,Ahmad,Siti Aminah,,VIII-A,Tidak,Tidak,',
].join('\n');

@ApiTags('students')
@Authenticated()
@Controller('api/v1/students')
export class StudentImportController {
  constructor(
    private readonly imports: StudentImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('import')
  @HttpCode(200)
  @CsvUpload()
  @ApiOperation({
    summary: "Register and update a school's students from a CSV file (Dapodik export)",
    description:
      "The school's Dapodik *peserta didik* export saved as CSV, as it is (title rows and the two-row header included), or our own " +
      'column names; the mapping is in docs/students-import.md. The file goes as the `text/csv` body, or as `multipart/form-data` ' +
      'in a field named `file`. `schoolId` names the school (a school administrator: their own, the default; another school is a 404). ' +
      'A NISN already registered at the school updates that student (only what changed; empty cells keep the stored value); at another ' +
      'school the row is refused. Every bad row is reported with its line, column and reason (the first 1000; `errorCount` counts all). ' +
      '`mode=all-or-nothing` (default) writes nothing when any row is bad and answers 422; `mode=partial` imports the good rows. ' +
      'One `student.imported` audit event per import; a student recorded as leaving has their active loans flagged, as with PATCH. ' +
      '`dryRun=true` checks the file and answers the same (200 with the counts, or 422) without writing anything, so the errors ' +
      'can be fixed before the real import. With an Idempotency-Key, a retry of the same file, mode and school replays the first answer.',
    requestBody: csvFileRequestBody(EXAMPLE_CSV),
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: StudentImportResponse, description: 'Imported (in partial mode, possibly with rejected rows)' })
  @ApiProblems(400, 404, 409, 413, 415)
  @ApiProblems(problem(422, StudentImportProblem, ProblemResponse))
  importStudents(
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Query() query: StudentImportQuery,
    @Idempotency() idempotency?: IdempotencyRequest,
  ) {
    return this.imports.importStudents(actor, query, () => readCsvUpload(request, this.config.importLimitBytes), idempotency);
  }
}
