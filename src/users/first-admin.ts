import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../common/actor.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { runStatement } from '../database/statements.js';
import { verifyPassword } from './passwords.js';
import { USER_ACTIVE_PASSWORD_HASH, USERS_BOOTSTRAP_LOCK, USERS_COUNT } from './users.queries.js';
import { UsersService } from './users.service.js';

export const DEMO_ADMIN_EMAIL = 'admin@laptop-loans.local';
const BOOTSTRAP_LOCK = 0x4649_5253; // "FIRS": replicas starting together create one admin

export interface LoginHint {
  email: string;
  /** Only for the local demo admin, while it still has the generated password. */
  password?: string;
  created: boolean;
}

/**
 * On a database with no users, creates the first program administrator: from ADMIN_EMAIL and
 * ADMIN_PASSWORD when set, otherwise (outside production) a demo admin with a generated password
 * kept in the data folder, so it can be printed again at every start until it is changed.
 */
@Injectable()
export class FirstAdmin {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ensure(): Promise<LoginHint | null> {
    const demoFile = join(this.config.dataDir, 'demo-admin-password');
    const created = await this.dataSource.transaction(async (tx) => {
      await runStatement(tx, USERS_BOOTSTRAP_LOCK, [BOOTSTRAP_LOCK]);
      const [{ count }] = await runStatement(tx, USERS_COUNT, []);
      if (count > 0) return null;
      if (this.config.admin) {
        await this.users.createIn(tx, SYSTEM_ACTOR, { ...this.config.admin, name: 'Program administrator', role: 'program_admin' });
        return { email: this.config.admin.email, created: true };
      }
      if (this.config.env === 'production') {
        throw new Error('Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD are required to create the first administrator');
      }
      const password = randomBytes(12).toString('base64url');
      await this.users.createIn(tx, SYSTEM_ACTOR, { email: DEMO_ADMIN_EMAIL, name: 'Demo administrator', password, role: 'program_admin' });
      writeFileSync(demoFile, password + '\n', { mode: 0o600 });
      return { email: DEMO_ADMIN_EMAIL, password, created: true };
    });
    if (created) return created;
    return this.demoHint(demoFile);
  }

  /** The demo admin's password is printed again only while it still works. */
  private async demoHint(demoFile: string): Promise<LoginHint | null> {
    if (!existsSync(demoFile)) return null;
    const password = readFileSync(demoFile, 'utf8').trim();
    const [row] = await runStatement(this.dataSource.manager, USER_ACTIVE_PASSWORD_HASH, [DEMO_ADMIN_EMAIL]);
    if (!row || !(await verifyPassword(row.password_hash, password))) return null;
    return { email: DEMO_ADMIN_EMAIL, password, created: false };
  }
}
