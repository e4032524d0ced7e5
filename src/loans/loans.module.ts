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

@Module({
  controllers: [LoansController, ChargesController, AgreementController, GuardianSignatureController],
  providers: [BulkLoansService, LoansService, ReturnsService, LoanChangesService, LoanQueriesService, ChargesService, PriceListService, AgreementService, GuardianSignatures],
  exports: [LoansService, ReturnsService, LoanQueriesService],
})
export class LoansModule {}
