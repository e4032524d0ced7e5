import type pg from 'pg';
import { randomInt, randomUUID } from 'node:crypto';
import type { Role } from '../../src/common/actor.js';
import { CredentialsService } from '../../src/auth/credentials.service.js';
import { hashPassword } from '../../src/users/passwords.js';
import type { TestApp } from './test-app.js';
import { unique } from './unique.js';

/** Small factories writing straight to the test database; every value can be overridden. */


export interface SchoolRow {
  id: string;
  npsn: string;
  name: string;
  level: string;
  district: string;
}

export async function newSchool(db: pg.Pool, overrides: Partial<SchoolRow> = {}): Promise<SchoolRow> {
  const npsn = overrides.npsn ?? String(10_000_000 + randomInt(89_999_999));
  const { rows } = await db.query(
    `INSERT INTO schools (npsn, name, level, district) VALUES ($1, $2, $3, $4) RETURNING id, npsn, name, level, district`,
    [npsn, overrides.name ?? `Sekolah ${unique()}`, overrides.level ?? 'SMP', overrides.district ?? 'Medan Baru'],
  );
  return rows[0];
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  schoolId: string | null;
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

export async function newUser(t: TestApp, role: Role, schoolId: string | null = null, overrides: { active?: boolean } = {}): Promise<TestUser> {
  const email = `${role}.${unique()}@test.local`;
  const password = `password-${randomUUID()}`;
  const { rows } = await t.db.query(
    `INSERT INTO users (email, name, password_hash, role, school_id, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [email, `Test ${role}`, await hashPassword(password), role, schoolId, overrides.active ?? true],
  );
  const token = await t.app.get(CredentialsService).issueToken(rows[0].id, role);
  return { id: rows[0].id, email, password, role, schoolId, token, auth: `Bearer ${token}` };
}

/** One actor of each kind over two schools: the cast most scoping tests need. */
export async function newCast(t: TestApp) {
  const schoolA = await newSchool(t.db);
  const schoolB = await newSchool(t.db);
  return {
    schoolA,
    schoolB,
    admin: await newUser(t, 'program_admin'),
    auditor: await newUser(t, 'auditor'),
    operatorA: await newUser(t, 'school_admin', schoolA.id),
    operatorB: await newUser(t, 'school_admin', schoolB.id),
  };
}
