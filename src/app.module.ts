import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { redactUrl } from './common/log-redaction.js';
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

const STARTUP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        LoggerModule.forRoot({
          pinoHttp: [{
            level: config.logLevel,
            // Fastify assigns the id (from X-Request-Id or a new UUID); log lines carry the same one.
            genReqId: (req) => (req as unknown as { id: string }).id,
            // Probes and scrapes every few seconds would drown the request log.
            autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|$)/.test(req.url ?? '') },
            // A request line says what was asked and how it ended; headers (and with them any
            // credentials) are left out. Serialising every header was a visible share of a
            // request's CPU in the benchmark profile (docs/benchmarks.md).
            serializers: {
              // Credential-like query parameters (token, key, password, signature...) are redacted.
              req: (req: { id: string; method: string; url: string; originalUrl?: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.originalUrl ?? req.url) }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              err: pino.stdSerializers.err,
            },
            // Ours read the raw request and response themselves: pino's standard ones, which they
            // would otherwise be handed the output of, copy every response header for nothing
            // (1% of a read's CPU in the profile).
            wrapSerializers: false,
            // Nest's own start-up chatter (modules loaded, routes mapped) says nothing an operator
            // needs at info level and buries the start-up banner; keep it at debug.
            hooks: {
              logMethod(args, method, level) {
                const context = (args[0] as { context?: string } | undefined)?.context;
                if (level <= 30 && context && STARTUP_CONTEXTS.has(context) && !this.isLevelEnabled('debug')) return;
                method.apply(this, args);
              },
            },
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          },
          // Asynchronous writes: lines logged while a write is in progress go out together in the
          // next one instead of one blocking write(2) per line. pino flushes what is buffered when
          // the process exits; a crash of the machine itself can lose the last lines.
          pino.destination({ dest: 1, sync: false })],
          forRoutes: [{ path: '*splat', method: RequestMethod.ALL }],
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
