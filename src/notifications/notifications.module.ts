import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { ReminderScheduler } from './reminder-scheduler.js';
import { RemindersService } from './reminders.service.js';
import { LoansModule } from '../loans/loans.module.js';
import { GuardianReminders } from './guardian-reminders.js';

/** Loan reminders in an outbox, the daily job that writes them, and their delivery to the gateway. */
@Module({
  imports: [ScheduleModule.forRoot(), LoansModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, RemindersService, ReminderScheduler, NotificationDispatcher, GuardianReminders],
  // The privacy work cancels or forgets a guardian's reminders through it.
  exports: [GuardianReminders],
})
export class NotificationsModule {}
