import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { verifyPassword } from '../users/passwords.js';
import { CredentialsService } from './credentials.service.js';
import { LoginRequest, LoginResponse } from './dto/login.dto.js';
import { LoginAttempts } from './login-attempts.js';
import { runStatement } from '../database/statements.js';
import { USER_FOR_LOGIN } from './auth.queries.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

@Injectable()
export class AuthService {
  private readonly attempts: LoginAttempts;

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.attempts = new LoginAttempts(dataSource, config.login);
  }

  async login(request: LoginRequest, clientAddress: string): Promise<LoginResponse> {
    // Reserved before the slow check, so guesses sent at once cannot all be checked.
    await this.attempts.reserve(request.email, clientAddress);
    const [user] = await runStatement(this.dataSource.manager, USER_FOR_LOGIN, [request.email]);
    // Verify even for an unknown email, so the answer takes as long either way.
    const passwordOk = await verifyPassword(user?.password_hash, request.password);
    if (!user || !passwordOk || !user.active) {
      throw new DomainError('unauthenticated', 'login_failed');
    }
    await this.attempts.succeeded(request.email, clientAddress);
    const ttl = this.config.jwtTtl;
    return {
      accessToken: await this.credentials.issueToken(user.id, user.role),
      tokenType: 'Bearer',
      expiresIn: Number(ttl.slice(0, -1)) * UNIT_SECONDS[ttl.slice(-1)],
    };
  }
}
