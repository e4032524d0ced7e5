import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { ReminderScheduler } from './reminder-scheduler.js';
import { RemindersService } from './reminders.service.js';

/** Loan reminders in an outbox, the daily job that writes them, and their delivery to the gateway. */
@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [NotificationsController],
  providers: [NotificationsService, RemindersService, ReminderScheduler, NotificationDispatcher],
  exports: [RemindersService, NotificationDispatcher],
})
export class NotificationsModule {}
