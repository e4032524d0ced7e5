import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { CreateUserRequest, UpdateUserRequest, UserQuery, UserResponse } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

const UserPage = PageOf(UserResponse);

@ApiTags('users')
@Authenticated('program_admin')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user', description: 'Program administrators only.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: UserResponse })
  @ApiProblems(400, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.users.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List users', description: 'Filter by role, school and active; sorted by email.' })
  @ApiOkResponse({ type: UserPage })
  @ApiProblems(400)
  list(@Query() query: UserQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user', description: 'Never includes the password hash.' })
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 404)
  get(@UuidParam('id') id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update, disable or re-enable a user', description: 'Disabling a user ends their sessions at once.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: UserResponse })
  @ApiProblems(400, 404, 409)
  update(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: UpdateUserRequest, @IfMatch() version?: number) {
    return this.users.update(actor, id, body, version);
  }
}
