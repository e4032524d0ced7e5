import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { UuidParam } from '../../common/validation.js';
import { ReturnReceiptService } from './return-receipt.service.js';

@ApiTags('loans')
@Authenticated()
@Controller('api/v1/loans')
export class ReturnReceiptController {
  constructor(private readonly receipts: ReturnReceiptService) {}

  @Get(':id/return-receipt.pdf')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'The return receipt as a PDF (tanda terima pengembalian)',
    description:
      "For a returned loan: the device that came back (asset tag, serial number), its condition and accessories checklist, damage notes, where it went next, the charges with their status now, who received it and when, signature lines, and a QR code to the agreement's public verification. In Indonesian, one A4 page. A loan not returned (active, lost, stolen) is a 409. Another school's loan answers 404 to a school administrator.",
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The receipt; `Content-Disposition` names the file after the agreement number', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(400, 404, 409)
  async pdf(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const file = await this.receipts.pdf(actor, id);
    reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${file.fileName}"`);
    return file.content;
  }
}
