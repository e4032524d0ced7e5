import { Controller, Get, Header, Ip, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, Public } from '../../auth/auth.decorators.js';
import { ApiProblems, problem } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { UuidParam } from '../../common/validation.js';
import { AgreementService } from './agreement.service.js';
import { AgreementNotFoundProblem, AgreementVerificationResponse, VerifyAgreementQuery } from './dto/agreement.dto.js';

@ApiTags('loans')
@Controller('api/v1')
export class AgreementController {
  constructor(private readonly agreements: AgreementService) {}

  @Get('loans/:id/agreement.pdf')
  @Authenticated()
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'The signed agreement as a PDF',
    description:
      "The borrow-and-use agreement in Indonesian (*perjanjian pinjam pakai*): the parties, the guardian's consent, the device and its accessories, the terms exactly as signed (the loan's version, not the program's current one), the due date, signature blocks, and a QR code linking to the public verification of its number. Another school's loan answers 404 to a school administrator.",
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The agreement; `Content-Disposition` names the file after the agreement number',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems(400, 404)
  async pdf(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const file = await this.agreements.pdf(actor, id);
    reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${file.fileName}"`);
    return file.content;
  }

  @Get('agreements/:number/verify')
  @Public()
  @ApiOperation({
    summary: 'Check a printed agreement (public)',
    description:
      "What the QR code on an agreement links to; no credentials. Answers whether the agreement is genuine, its status and the school to return the laptop to: what a finder needs, nothing about the student, the guardian or the dates. " +
      'The link carries the number\'s code (`c`, an HMAC of the number); without the right code, or for an unknown number, the answer is the same 404 problem with `agreementNumber` and `valid: false`, so numbers cannot be walked. ' +
      'A string that cannot be an agreement number is a 400. VERIFY_RATE_PER_MINUTE requests a minute per address, then 429.',
  })
  @ApiParam({ name: 'number', description: 'The agreement number (case-insensitive).', example: 'MDN-2027-000123', schema: { type: 'string', pattern: '^[A-Za-z]{2,6}-\\d{4}-\\d{6,19}$' } })
  @ApiOkResponse({ type: AgreementVerificationResponse, description: 'An agreement with this number exists' })
  @ApiProblems(400, problem(404, AgreementNotFoundProblem), 429, 503)
  verify(@Param('number') number: string, @Query() query: VerifyAgreementQuery, @Ip() ip: string): Promise<AgreementVerificationResponse> {
    return this.agreements.verify(number, query.c, ip);
  }
}
