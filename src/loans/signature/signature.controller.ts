import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { UuidParam } from '../../common/validation.js';
import { GuardianSignatures } from './guardian-signatures.js';

@ApiTags('loans')
@Authenticated()
@Controller('api/v1/loans')
export class GuardianSignatureController {
  constructor(private readonly signatures: GuardianSignatures) {}

  @Get(':id/signature.png')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: "The guardian's drawn signature (PNG)",
    description:
      "The image sent as `guardianSignaturePng` when the loan was issued, byte for byte; `X-Content-SHA256` is its SHA-256 (hex), as printed on the agreement. A loan signed on paper, or whose image the retention period removed, answers 404. The read is noted in the student-access log. Another school's loan answers 404 to a school administrator.",
  })
  @ApiProduces('image/png')
  @ApiOkResponse({
    description: 'The signature as drawn',
    content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
    headers: { 'X-Content-SHA256': { description: "The image's SHA-256 (hex), as printed on the agreement and recorded in the audit chain", schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
  })
  @ApiProblems(400, 404)
  async png(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const signature = await this.signatures.png(actor, id);
    reply.header('content-type', 'image/png').header('x-content-sha256', signature.sha256);
    return signature.png;
  }
}
