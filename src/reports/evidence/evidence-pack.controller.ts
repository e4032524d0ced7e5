import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems, DATA_AS_OF_HEADERS } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { EvidencePackQuery } from './evidence-pack.dto.js';
import { EvidencePackService } from './evidence-pack.service.js';

@ApiTags('reports')
@Authenticated()
@Controller('api/v1/reports')
export class EvidencePackController {
  constructor(private readonly packs: EvidencePackService) {}

  @Get('evidence-pack.zip')
  @ApiOperation({
    summary: 'Evidence pack for an audit (ZIP, checkable offline)',
    description:
      "For a program, optionally one school: the summary PDF, every report as CSV, the agreement register, the charges ledger, the audit chain's head (block number and hash) with its verification at this moment, the chain segment from the program's first event to the head (every event's hash; the content of the scope's events), and `MANIFEST.sha256` for `sha256sum -c`. `scripts/verify-evidence-pack.mjs` re-verifies the segment offline (docs/evidence-pack.md). Streamed. Making a pack is an audit event (`report.evidence_pack_created`), and every student in the registers is noted in the student-access log. Auditors and program administrators: any school or all; a school administrator: their own school (another school's `schoolId` is a 404).",
  })
  @ApiProduces('application/zip')
  @ApiOkResponse({ description: 'The pack; `Content-Disposition` names it after the program, the day and the school', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } }, headers: DATA_AS_OF_HEADERS })
  @ApiProblems(400, 404)
  // A stream of ZIP bytes; typed `unknown` so the OpenAPI plugin leaves the body to @ApiOkResponse.
  async download(@CurrentActor() actor: Actor, @Query() query: EvidencePackQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const pack = await this.packs.create(actor, query);
    reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${pack.fileName}"`).header('cache-control', 'private, no-store');
    return pack.stream;
  }
}
