import { AssetLabelsController } from './labels/asset-labels.controller.js';
import { AssetLabelsService } from './labels/asset-labels.service.js';
import { Module } from '@nestjs/common';
import { ProcurementBatchesController } from './batches/procurement-batches.controller.js';
import { ProcurementBatchesService } from './batches/procurement-batches.service.js';
import { DeviceMovesService } from './device-moves.service.js';
import { DeviceRecoveryService } from './device-recovery.service.js';
import { DevicesController } from './devices.controller.js';
import { DevicesService } from './devices.service.js';
import { DeviceImportController } from './import/device-import.controller.js';
import { DeviceImportService } from './import/device-import.service.js';
import { DeviceModelsController } from './models/device-models.controller.js';
import { DeviceModelsService } from './models/device-models.service.js';
import { RepairsService } from './repairs.service.js';
import { StockService } from './stock.service.js';
import { StocktakeClosingService } from './stocktakes/stocktake-closing.service.js';
import { StocktakesController } from './stocktakes/stocktakes.controller.js';
import { StocktakesService } from './stocktakes/stocktakes.service.js';
import { DeviceMovements } from './device-movements.js';
import { DeviceStates } from './device-state.js';

@Module({
  controllers: [AssetLabelsController, DeviceModelsController, ProcurementBatchesController, DeviceImportController, DevicesController, StocktakesController],
  providers: [AssetLabelsService, DeviceRecoveryService, DeviceModelsService, ProcurementBatchesService, DevicesService, DeviceImportService, DeviceMovesService, RepairsService, StockService, StocktakesService, StocktakeClosingService, DeviceStates, DeviceMovements],
  // A device's status and school change only here; loans, allocation and the stock report ask.
  exports: [DeviceStates, DeviceMovements, StockService],
})
export class DevicesModule {}
