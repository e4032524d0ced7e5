import { Module } from '@nestjs/common';
import { StudentImportController } from './import/student-import.controller.js';
import { StudentImportService } from './import/student-import.service.js';
import { StudentsController } from './students.controller.js';
import { StudentsService } from './students.service.js';
import { LoansModule } from '../loans/loans.module.js';

@Module({ imports: [LoansModule], controllers: [StudentImportController, StudentsController], providers: [StudentsService, StudentImportService] })
export class StudentsModule {}
