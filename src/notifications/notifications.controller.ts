import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiProblems } from '../common/api-docs.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { PageOf } from '../common/pagination.js';
import { NotificationQuery, NotificationResponse, ReminderRunResponse } from './dto/notification.dto.js';
import { NotificationsService } from './notifications.service.js';
import { RemindersService } from './reminders.service.js';

const NotificationPage = PageOf(NotificationResponse);

@ApiTags('notifications')
@Authenticated()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly reminders: RemindersService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List notifications (the outbox)',
    description:
      'Loan reminders and escalations, newest first, with their delivery status. Without a gateway configured they stay `queued` here. School administrators see their own school.',
  })
  @ApiOkResponse({ type: NotificationPage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: NotificationQuery) {
    return this.notifications.list(actor, query);
  }

  @Post('run-reminders')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the reminder job now',
    description:
      'Program administrators. Does what the daily job does: writes the reminders due today (never a level twice for a loan) and flags loans long overdue for their school. Answers what this run wrote; running it again the same day writes nothing more.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ReminderRunResponse })
  @ApiProblems(400, 422, 503)
  runReminders(@CurrentActor() actor: Actor, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.reminders.run(actor, idempotency);
  }
}
