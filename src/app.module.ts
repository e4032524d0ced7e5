import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { ClockModule } from './common/clock.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DevicesModule } from './devices/devices.module.js';
import { HealthModule } from './health/health.module.js';
import { LoansModule } from './loans/loans.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { ProgramsModule } from './programs/programs.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { WorklistsModule } from './worklists/worklists.module.js';
import { SchoolsModule } from './schools/schools.module.js';
import { PrivacyModule } from './students/privacy/privacy.module.js';
import { StudentsModule } from './students/students.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggerModule.forRoot({
          pinoHttp: { logger },
          // No request middleware: the request line is written by Fastify's own hooks
          // (common/logging.ts, decision 89). The module gives the service its logger.
          forRoutes: [],
        }),
        DatabaseModule.forRoot({ url: databaseUrl, ...config.db }),
        MetricsModule,
        AuditModule,
        AuthModule,
        HealthModule,
        SchoolsModule,
        UsersModule,
        ApiKeysModule,
        DevicesModule,
        StudentsModule,
        PrivacyModule,
        ProgramsModule,
        LoansModule,
        NotificationsModule,
        ReportsModule,
        WorklistsModule,
      ],
    };
  }
}
