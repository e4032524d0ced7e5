import { EligibilityPreviewController } from './eligibility/eligibility-preview.controller.js';
import { Module } from '@nestjs/common';
import { AllocationService } from './allocation/allocation.service.js';
import { ApplicationsController } from './applications/applications.controller.js';
import { ApplicationsService } from './applications/applications.service.js';
import { DuplicateBeneficiariesService } from './duplicates/duplicate-beneficiaries.service.js';
import { EligibilityService } from './eligibility/eligibility.service.js';
import { ProgramsController } from './programs.controller.js';
import { ProgramsService } from './programs.service.js';
import { AuthModule } from '../auth/auth.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { ApplicationStates } from './applications/application-state.js';
import { EligibilityFacts } from './eligibility/eligibility-facts.js';

@Module({
  imports: [DevicesModule, AuthModule],
  controllers: [EligibilityPreviewController, ProgramsController, ApplicationsController],
  providers: [DuplicateBeneficiariesService, ProgramsService, EligibilityService, ApplicationsService, AllocationService, ApplicationStates, EligibilityFacts],
  // An issue fulfils an application and checks the student against the program's rules.
  exports: [ApplicationStates, EligibilityFacts],
})
export class ProgramsModule {}
