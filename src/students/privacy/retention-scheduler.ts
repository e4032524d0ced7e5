import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { SYSTEM_ACTOR } from '../../common/actor.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { RetentionService } from './retention.service.js';

const JOB = 'student-retention';
const TIME_ZONE = 'Asia/Jakarta';

/**
 * Runs the retention job daily on RETENTION_CRON (off in tests), like the reminder scheduler.
 * Replicas may all run it: each batch locks its students with SKIP LOCKED.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);
  private running?: Promise<void>;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const cronTime = this.config.privacy.retentionCron;
    if (!cronTime) return;
    const job = CronJob.from({ cronTime, timeZone: TIME_ZONE, onTick: () => this.tick(), start: true, waitForCompletion: true, unrefTimeout: true });
    this.registry.addCronJob(JOB, job);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
    await this.running;
  }

  private tick(): Promise<void> {
    this.running = this.retention
      .anonymiseDeparted(SYSTEM_ACTOR)
      .then((result) => this.logger.log({ result }, 'retention run finished'))
      .catch((error) => this.logger.error({ err: error }, 'retention run failed; the next run catches up'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
