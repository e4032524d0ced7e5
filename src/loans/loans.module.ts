import { Module } from '@nestjs/common';
import { AgreementController } from './agreement/agreement.controller.js';
import { AgreementService } from './agreement/agreement.service.js';
import { BulkLoansService } from './bulk.service.js';
import { ChargesController } from './charges.controller.js';
import { ChargesService } from './charges.service.js';
import { LoanChangesService } from './loan-changes.service.js';
import { LoanQueriesService } from './loan-queries.service.js';
import { LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';
import { PriceListService } from './price-list.service.js';
import { ReturnsService } from './returns.service.js';
import { GuardianSignatureController } from './signature/signature.controller.js';
import { GuardianSignatures } from './signature/guardian-signatures.js';
import { ReturnReceiptController } from './receipt/return-receipt.controller.js';
import { ReturnReceiptService } from './receipt/return-receipt.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { ProgramsModule } from '../programs/programs.module.js';
import { LoanFlags } from './loan-flags.js';

@Module({
  imports: [DevicesModule, ProgramsModule, AuthModule],
  controllers: [LoansController, ChargesController, AgreementController, GuardianSignatureController, ReturnReceiptController],
  providers: [BulkLoansService, LoansService, ReturnsService, LoanChangesService, LoanQueriesService, ChargesService, PriceListService, AgreementService, GuardianSignatures, ReturnReceiptService, LoanFlags],
  // A student leaving, the reminder job and the retention job flag or scrub loans through it.
  exports: [LoanFlags],
})
export class LoansModule {}
