import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { SYSTEM_ACTOR } from '../common/actor.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RemindersService } from './reminders.service.js';

const JOB = 'loan-reminders';
/** The program's time zone; `Clock.today()` counts days in it too. */
const TIME_ZONE = 'Asia/Jakarta';

/**
 * Runs the reminder job on REMINDER_CRON. Every replica schedules it; runs wait for each other
 * and a later one finds nothing left to write. Registered at bootstrap rather than with `@Cron`
 * because the expression is a setting; off when REMINDER_CRON is `off` (the default in tests).
 */
@Injectable()
export class ReminderScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReminderScheduler.name);
  private running?: Promise<void>;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly reminders: RemindersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const cronTime = this.config.notifications.reminderCron;
    if (!cronTime) return;
    const job = CronJob.from({
      cronTime,
      timeZone: TIME_ZONE,
      onTick: () => this.tick(),
      start: true,
      waitForCompletion: true,
      // The job's timer alone must not keep the process alive.
      unrefTimeout: true,
    });
    this.registry.addCronJob(JOB, job);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
    await this.running;
  }

  private tick(): Promise<void> {
    this.running = this.reminders
      .run(SYSTEM_ACTOR)
      .then((result) => this.logger.log({ result }, 'reminder run finished'))
      .catch((error) => this.logger.error({ err: error }, 'reminder run failed; the next scheduled run catches up'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
