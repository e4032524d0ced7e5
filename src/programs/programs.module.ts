import { EligibilityPreviewController } from './eligibility/eligibility-preview.controller.js';
import { Module } from '@nestjs/common';
import { AllocationService } from './allocation/allocation.service.js';
import { ApplicationsController } from './applications/applications.controller.js';
import { ApplicationsService } from './applications/applications.service.js';
import { DuplicateBeneficiariesService } from './duplicates/duplicate-beneficiaries.service.js';
import { EligibilityService } from './eligibility/eligibility.service.js';
import { ProgramsController } from './programs.controller.js';
import { ProgramsService } from './programs.service.js';

@Module({
  controllers: [EligibilityPreviewController, ProgramsController, ApplicationsController],
  providers: [DuplicateBeneficiariesService, ProgramsService, EligibilityService, ApplicationsService, AllocationService],
  exports: [ProgramsService, EligibilityService],
})
export class ProgramsModule {}
