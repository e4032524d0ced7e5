import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { Authenticated, Public } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import { CurrentActorResponse, LoginRequest, LoginResponse } from './dto/login.dto.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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
}
