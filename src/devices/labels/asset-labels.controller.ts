import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { AssetLabelsQuery } from './asset-labels.dto.js';
import { AssetLabelsService, MAX_LABELS_PER_REQUEST } from './asset-labels.service.js';

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/devices')
export class AssetLabelsController {
  constructor(private readonly labels: AssetLabelsService) {}

  @Get('labels.pdf')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Asset-tag labels to print (A4 PDF)',
    description:
      `Labels for a procurement batch (\`batchId\`) or a school's devices (\`schoolId\`; both: the batch's devices at that school), in asset-tag order; devices lost, stolen or retired get none. Each label carries a QR code and a Code 128 bar code that encode exactly the asset tag, so a keyboard-wedge scanner types it into any scan field and \`GET /api/v1/devices/lookup?code=\` finds the device. At most ${MAX_LABELS_PER_REQUEST} labels per request: when more remain, \`X-Labels-Next-After\` names the last tag printed; send it as \`after\` for the next sheets. School administrators print their own school's devices (another school is a 404).`,
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The label sheets',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'X-Labels-Count': { description: 'Labels on these sheets', schema: { type: 'integer' } },
      'X-Labels-Next-After': { description: 'Present when more devices remain: pass as `after`', schema: { type: 'string' } },
    },
  })
  @ApiProblems(400, 404)
  async pdf(@CurrentActor() actor: Actor, @Query() query: AssetLabelsQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const sheets = await this.labels.sheets(actor, query);
    reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${sheets.fileName}"`).header('x-labels-count', String(sheets.count));
    if (sheets.nextAfter) reply.header('x-labels-next-after', sheets.nextAfter);
    return sheets.content;
  }
}
