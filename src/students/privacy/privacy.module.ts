import { Global, Module } from '@nestjs/common';
import { ConsentsController } from './consents.controller.js';
import { ConsentsService } from './consents.service.js';
import { DataExportService } from './data-export.service.js';
import { DataRightsController } from './data-rights.controller.js';
import { RetentionScheduler } from './retention-scheduler.js';
import { RetentionService } from './retention.service.js';
import { StudentAccessLog } from './student-access-log.js';
import { LoansModule } from '../../loans/loans.module.js';
import { NotificationsModule } from '../../notifications/notifications.module.js';

/**
 * Student data rights under Law 27/2022 (docs/privacy.md). Global so that any module serving a
 * student's personal data can note the read in `StudentAccessLog`.
 */
@Global()
@Module({
  imports: [LoansModule, NotificationsModule],
  controllers: [ConsentsController, DataRightsController],
  providers: [ConsentsService, DataExportService, RetentionService, RetentionScheduler, StudentAccessLog],
  exports: [StudentAccessLog],
})
export class PrivacyModule {}
