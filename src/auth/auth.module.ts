import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { CredentialsService } from './credentials.service.js';
import { RequestBudget } from './login-attempts.js';

@Module({
  imports: [
    ApiKeysModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject made once: given the secret as a string, jsonwebtoken first tries (and fails)
      // to parse it as a PEM public key on every verification, which was 16% of the CPU of a
      // request in the benchmark profile (docs/benchmarks.md).
      useFactory: (config: AppConfig) => ({ secret: createSecretKey(Buffer.from(config.jwtSecret)) }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, CredentialsService, RequestBudget, { provide: APP_GUARD, useClass: AuthGuard }],
  // The eligibility check sends the caller's row with its own reads (CredentialsService); the
  // agreement's public verify page keeps a per-address budget on the login counters.
  exports: [CredentialsService, RequestBudget],
})
export class AuthModule {}
