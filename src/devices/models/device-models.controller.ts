import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../../common/if-match.js';
import { PageOf } from '../../common/pagination.js';
import { UuidParam } from '../../common/validation.js';
import { CreateDeviceModelRequest, DeviceModelQuery, DeviceModelResponse, UpdateDeviceModelRequest } from '../dto/device-model.dto.js';
import { DeviceModelsService } from './device-models.service.js';

const DeviceModelPage = PageOf(DeviceModelResponse);

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/device-models')
export class DeviceModelsController {
  constructor(private readonly models: DeviceModelsService) {}

  @Post()
  @ApiOperation({ summary: 'Add a device model', description: 'Program administrators only.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: DeviceModelResponse })
  @ApiProblems(400, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateDeviceModelRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.models.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List device models', description: 'Everyone signed in; filter by category.' })
  @ApiOkResponse({ type: DeviceModelPage })
  @ApiProblems(400)
  list(@Query() query: DeviceModelQuery) {
    return this.models.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a device model', description: 'Everyone signed in.' })
  @ApiOkResponse({ type: DeviceModelResponse })
  @ApiProblems(400, 404)
  get(@UuidParam('id') id: string) {
    return this.models.get(id);
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a device model', description: 'Program administrators only.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: DeviceModelResponse })
  @ApiProblems(400, 404, 409)
  update(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: UpdateDeviceModelRequest, @IfMatch() version?: number) {
    return this.models.update(actor, id, body, version);
  }
}
