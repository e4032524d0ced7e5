import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { Authenticated, OwnSession, Public } from './auth.decorators.js';
import { CredentialsService } from './credentials.service.js';
import { AuthService } from './auth.service.js';
import { CurrentActorResponse, LoginRequest, LoginResponse } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly credentials: CredentialsService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with email and password',
    description: 'Returns a bearer token. Five attempts per minute for one account from one address, 20 for one account from anywhere and 100 from one address answer 429 beyond that (counted before the password is checked; LOGIN_* settings).',
  })
  @ApiOkResponse({ type: LoginResponse })
  @ApiProblems(400, 401, 429, 503)
  login(@Body() body: LoginRequest, @Ip() ip: string) {
    return this.auth.login(body, ip);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who am I', description: 'The role and school the current credentials act as.' })
  @ApiOkResponse({ type: CurrentActorResponse })
  me(@CurrentActor() actor: Actor): CurrentActorResponse {
    return { kind: actor.kind, id: actor.id, role: actor.role, schoolId: actor.schoolId };
  }

  @Post('logout')
  @Authenticated()
  @OwnSession()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Log out',
    description:
      'Revokes the bearer token this request carries: from now until it would have expired it answers 401 (`token_revoked`). ' +
      'Other tokens of the same user stay valid; a password, role or school change ends them all. Any role may log out. ' +
      'Naturally idempotent: a retry with the revoked token answers 401, which a client reads as logged out.',
  })
  @ApiNoContentResponse({ description: 'The token is revoked.' })
  @ApiProblems(400)
  async logout(@CurrentActor() actor: Actor): Promise<void> {
    await this.credentials.revoke(actor);
  }
}
