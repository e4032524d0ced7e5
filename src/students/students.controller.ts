import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { CreateStudentRequest, StudentQuery, StudentResponse, UpdateStudentRequest } from './dto/student.dto.js';
import { StudentsService } from './students.service.js';

const StudentPage = PageOf(StudentResponse);

@ApiTags('students')
@Authenticated()
@Controller('api/v1/students')
export class StudentsController {
  constructor(private readonly students: StudentsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a student', description: "School administrators register their own school's students. NISN is 10 digits and unique; the guardian's phone is stored as E.164." })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: StudentResponse })
  @ApiProblems(400, 404, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateStudentRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.students.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List or search students', description: '`q` is an exact NISN or part of a name. School administrators see their own school.' })
  @ApiOkResponse({ type: StudentPage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: StudentQuery) {
    return this.students.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a student', description: "Another school's student answers 404 to a school administrator." })
  @ApiOkResponse({ type: StudentResponse })
  @ApiProblems(400, 404)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.students.get(actor, id);
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a student, record leaving, or move them to another school', description: 'Moving schools is for program administrators.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: StudentResponse })
  @ApiProblems(400, 404, 409)
  update(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: UpdateStudentRequest, @IfMatch() version?: number) {
    return this.students.update(actor, id, body, version);
  }
}
