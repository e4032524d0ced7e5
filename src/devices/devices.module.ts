import { Module } from '@nestjs/common';
import { ProcurementBatchesController } from './batches/procurement-batches.controller.js';
import { ProcurementBatchesService } from './batches/procurement-batches.service.js';
import { DeviceMovesService } from './device-moves.service.js';
import { DevicesController } from './devices.controller.js';
import { DevicesService } from './devices.service.js';
import { DeviceModelsController } from './models/device-models.controller.js';
import { DeviceModelsService } from './models/device-models.service.js';
import { RepairsService } from './repairs.service.js';
import { StockService } from './stock.service.js';

@Module({
  controllers: [DeviceModelsController, ProcurementBatchesController, DevicesController],
  providers: [DeviceModelsService, ProcurementBatchesService, DevicesService, DeviceMovesService, RepairsService, StockService],
  exports: [DevicesService, DeviceMovesService],
})
export class DevicesModule {}
