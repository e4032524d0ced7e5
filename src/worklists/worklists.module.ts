import { Module } from '@nestjs/common';
import { WorklistsController } from './worklists.controller.js';
import { WorklistsService } from './worklists.service.js';

/** The school operator's worklists (docs/loans.md): reads only. */
@Module({ controllers: [WorklistsController], providers: [WorklistsService] })
export class WorklistsModule {}
