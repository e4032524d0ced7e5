import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { DeviceMovesService } from './device-moves.service.js';
import { DeviceRecoveryService } from './device-recovery.service.js';
import { DevicesService } from './devices.service.js';
import {
  BulkTransferRequest,
  BulkTransferResponse,
  CloseRepairRequest,
  CreateDeviceRequest,
  DeviceLookupQuery,
  DeviceQuery,
  DeviceResponse,
  OpenRepairRequest,
  RecoverDeviceRequest,
  RepairResponse,
  RetireDeviceRequest,
  TransferDeviceRequest,
  UpdateDeviceRequest,
} from './dto/device.dto.js';
import { ReconciliationResponse, StockCountsResponse, StockQuery } from './dto/stock.dto.js';
import { RepairsService } from './repairs.service.js';
import { StockService } from './stock.service.js';

const DevicePage = PageOf(DeviceResponse);

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly moves: DeviceMovesService,
    private readonly repairs: RepairsService,
    private readonly stock: StockService,
    private readonly recovery: DeviceRecoveryService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a device', description: 'Program administrators only. Asset tag and serial are trimmed and upper-cased; a clash is a 409 naming it.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: DeviceResponse })
  @ApiProblems(400, 404, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateDeviceRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.devices.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List devices', description: 'Filters combine. School administrators see devices at their school only.' })
  @ApiOkResponse({ type: DevicePage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: DeviceQuery) {
    return this.devices.list(actor, query);
  }

  @Get('lookup')
  @ApiOperation({ summary: 'Find a device by asset tag or serial number', description: 'For barcode scanners.' })
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404)
  lookup(@CurrentActor() actor: Actor, @Query() query: DeviceLookupQuery) {
    return this.devices.lookup(actor, query.code);
  }

  @Get('stock')
  @ApiOperation({ summary: 'Device counts by location and status', description: 'School administrators see their own school.' })
  @ApiOkResponse({ type: StockCountsResponse })
  @ApiProblems(400, 404)
  stockCounts(@CurrentActor() actor: Actor, @Query() query: StockQuery) {
    return this.stock.counts(actor, query);
  }

  @Get('reconciliation')
  @ApiOperation({ summary: 'Reconcile each procurement batch', description: 'bought = in stock + reserved + on loan + in repair + lost + stolen + retired; mismatches flagged. Program administrators and auditors.' })
  @ApiOkResponse({ type: ReconciliationResponse })
  reconciliation(@CurrentActor() actor: Actor) {
    return this.stock.reconciliation(actor);
  }

  @Post('transfers')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move many devices at once', description: 'Program administrators only. Every device must be in stock; all move or none does.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: BulkTransferResponse })
  @ApiProblems(400, 404, 409, 422)
  transferMany(@CurrentActor() actor: Actor, @Body() body: BulkTransferRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.moves.transferMany(actor, body, idempotency);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a device', description: "A school administrator gets 404 for another school's or the store's devices." })
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.devices.get(actor, id);
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update condition, accessories, warranty or notes', description: 'Status and location change only through their own operations.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404, 409)
  update(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: UpdateDeviceRequest, @IfMatch() version?: number) {
    return this.devices.update(actor, id, body, version);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a device between the store and schools', description: 'Program administrators only; only devices in stock move. With If-Match, a concurrent move makes this one a 409.' })
  @ApiIdempotencyKey()
  @ApiIfMatch()
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404, 409, 422)
  transfer(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() body: TransferDeviceRequest,
    @IfMatch() version?: number,
    @Idempotency() idempotency?: IdempotencyRequest,
  ) {
    return this.moves.transfer(actor, id, body, version, idempotency);
  }

  @Post(':id/retire')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retire a device (sold, scrapped, written off)', description: 'Program administrators only.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404, 409, 422)
  retire(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: RetireDeviceRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.moves.retire(actor, id, body, idempotency);
  }

  @Post(':id/recover')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recover a lost or stolen device', description: 'Program administrators. The device goes back to stock in the condition found; the loan that lost it stays closed.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: DeviceResponse })
  @ApiProblems(400, 404, 409, 422)
  recover(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: RecoverDeviceRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.recovery.recover(actor, id, body, idempotency);
  }

  @Post(':id/repairs')
  @ApiOperation({ summary: 'Send a device for repair', description: 'The device becomes in_repair.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: RepairResponse })
  @ApiProblems(400, 404, 409, 422)
  openRepair(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: OpenRepairRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.repairs.open(actor, id, body, idempotency);
  }

  @Get(':id/repairs')
  @ApiOperation({ summary: "A device's repairs", description: 'Oldest first, open and closed.' })
  @ApiOkResponse({ type: [RepairResponse] })
  @ApiProblems(400, 404)
  listRepairs(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.repairs.list(actor, id);
  }

  @Post(':id/repairs/:repairId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a repair', description: 'repaired: back in stock; unrepairable: retired.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: RepairResponse })
  @ApiProblems(400, 404, 409, 422)
  closeRepair(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('repairId') repairId: string,
    @Body() body: CloseRepairRequest,
    @Idempotency() idempotency?: IdempotencyRequest,
  ) {
    return this.repairs.close(actor, id, repairId, body, idempotency);
  }
}
