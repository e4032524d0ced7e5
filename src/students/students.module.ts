import { Module } from '@nestjs/common';
import { StudentImportController } from './import/student-import.controller.js';
import { StudentImportService } from './import/student-import.service.js';
import { StudentsController } from './students.controller.js';
import { StudentsService } from './students.service.js';

@Module({ controllers: [StudentImportController, StudentsController], providers: [StudentsService, StudentImportService], exports: [StudentsService] })
export class StudentsModule {}
