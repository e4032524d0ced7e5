import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyUsage } from '../api-keys/api-key-usage.js';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Actor, type Role } from '../common/actor.js';
import { DomainError } from '../common/errors.js';
import type { ProblemCode } from '../i18n/i18n.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { parseApiKey } from '../api-keys/api-key-format.js';
import { prepared, runStatement } from '../database/statements.js';
import { REVOKED_TOKEN_INSERT, REVOKED_TOKENS_PRUNE, USER_CREDENTIALS_VERSION } from './auth.queries.js';
import { actorOfTokenUser, type TokenCaller, type TokenUserRow } from './caller-check.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** The user's credentials version when the token was issued (decision 35). */
  cv?: number;
  /** The token's id, so one token can be logged out. */
  jti?: string;
  exp?: number;
}

const LAST_USED_RESOLUTION_MS = 60_000;
/** Verified tokens remembered (CredentialsService.verifiedTokens): a city's desks and systems, many times over. */
const VERIFIED_TOKENS_KEPT = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const unauthenticated = (code: ProblemCode = 'unauthenticated') => new DomainError('unauthenticated', code);

// Run on every authenticated request: prepared once per connection.
// The token's revocation is looked up in the same round trip as its user.
export const USER_BY_ID = prepared<TokenUserRow>(
  'auth_user_by_id',
  `SELECT id, role, school_id, active, credentials_version, EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked FROM users WHERE id = $1`,
);

const API_KEY_BY_PREFIX = prepared<{ id: string; role: Role; school_id: string | null; secret_hash: Buffer; revoked_at: Date | null }>(
  'auth_api_key_by_prefix',
  `SELECT id, role, school_id, secret_hash, revoked_at FROM api_keys WHERE prefix = $1`,
);

/**
 * Turns a bearer token or an API key into an Actor. Role, school and the active/revoked state
 * are read from the database on every request, so disabling a user or revoking a key takes
 * effect on the very next call, whatever tokens are still in circulation.
 */
@Injectable()
export class CredentialsService {
  /** When we last recorded `last_used_at` per key, so a busy key does not write on every call. */
  private readonly lastUsedWritten = new Map<string, number>();
  /**
   * Tokens whose signature and claims were checked, by their whole text: the HMAC and the JSON
   * decoding run once per token rather than once per request (4-5% of a read's CPU in the
   * profile, docs/benchmarks.md). Only the signature's verdict is kept: the expiry is checked on
   * every use, and the user row (disabled, logged out, credentials changed) is read for every
   * request as before. Bounded; the oldest entry goes first.
   */
  private readonly verifiedTokens = new Map<string, Omit<TokenCaller, 'requestId'>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeyUsage: ApiKeyUsage,
  ) {}

  /**
   * The caller's user row sent on `tx` now, for a route that checks the caller itself (decision
   * 71) and sends it with its own statements in one round trip; judge it with `actorOfTokenUser`.
   */
  async userRow(tx: EntityManager, caller: TokenCaller): Promise<TokenUserRow | undefined> {
    const [user] = await runStatement(tx, USER_BY_ID, [caller.userId, caller.tokenId]);
    return user;
  }

  /** A token for the user as the database has them now (its credentials version). */
  async issueToken(userId: string, role: Role): Promise<string> {
    const [user] = await runStatement(this.dataSource.manager, USER_CREDENTIALS_VERSION, [userId]);
    return this.jwt.signAsync({ sub: userId, role, cv: user?.credentials_version ?? 0 } satisfies TokenClaims, {
      algorithm: 'HS256',
      expiresIn: this.config.jwtTtl as `${number}h`,
      jwtid: randomUUID(),
    });
  }

  /** Logs out the token the actor came with: it is refused from now until it would have expired. */
  async revoke(actor: Actor): Promise<void> {
    if (actor.kind !== 'user' || !actor.token) throw new DomainError('bad-request', 'logout_needs_token');
    await runStatement(this.dataSource.manager, REVOKED_TOKENS_PRUNE, []);
    await runStatement(this.dataSource.manager, REVOKED_TOKEN_INSERT, [actor.token.id, actor.id, actor.token.expiresAt]);
  }

  async authenticate(authorization: string | undefined, apiKeyHeader: string | undefined): Promise<Omit<Actor, 'requestId'>> {
    if (apiKeyHeader) return this.fromApiKey(apiKeyHeader);
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('credentials_missing');
    return match[1].startsWith('llk_') ? this.fromApiKey(match[1]) : this.fromToken(match[1]);
  }

  private async fromToken(token: string): Promise<Omit<Actor, 'requestId'>> {
    const caller = await this.verifyToken(token, '');
    const { requestId: _, ...actor } = actorOfTokenUser(caller, await this.userRow(this.dataSource.manager, caller));
    return actor;
  }

  /**
   * A bearer token's signature and claims, checked without reading its user row: for routes whose
   * own statement reads that row in the same round trip as their work (`@ChecksCallerItself()`).
   * Refuses with the same 401s as `authenticate`; `actorOfTokenUser` gives the rest of the verdict.
   */
  async verifyBearer(authorization: string | undefined, requestId: string): Promise<TokenCaller> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('credentials_missing');
    return this.verifyToken(match[1], requestId);
  }

  /** The user row for a verified token, and the verdict on it (the guard's own check, deferred). */
  async resolve(caller: TokenCaller): Promise<Actor> {
    return actorOfTokenUser(caller, await this.userRow(this.dataSource.manager, caller));
  }

  private async verifyToken(token: string, requestId: string): Promise<TokenCaller> {
    const known = this.verifiedTokens.get(token);
    if (known && known.expiresAt * 1000 > Date.now()) return { ...known, requestId };
    const caller = await this.checkToken(token);
    // The service signs every token with an expiry; one without is checked again each time.
    if (caller.expiresAt > 0) {
      if (this.verifiedTokens.size >= VERIFIED_TOKENS_KEPT) this.verifiedTokens.delete(this.verifiedTokens.keys().next().value!);
      this.verifiedTokens.set(token, caller);
    }
    return { ...caller, requestId };
  }

  private async checkToken(token: string): Promise<Omit<TokenCaller, 'requestId'>> {
    let claims: TokenClaims;
    try {
      // Only HS256: a token claiming `alg: none` or any other algorithm is refused.
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw unauthenticated('token_invalid_or_expired');
    }
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) throw unauthenticated('token_invalid');
    // A token from before credentials versions and ids (no cv or jti) is refused like a stale one.
    if (typeof claims.jti !== 'string' || !UUID.test(claims.jti) || typeof claims.cv !== 'number') throw unauthenticated('token_superseded');
    return { kind: 'token', userId: claims.sub, credentialsVersion: claims.cv, tokenId: claims.jti, expiresAt: claims.exp ?? 0 };
  }

  private async fromApiKey(raw: string): Promise<Omit<Actor, 'requestId'>> {
    const parsed = parseApiKey(raw);
    if (!parsed) throw unauthenticated('api_key_malformed');
    const [key] = await runStatement(
      this.dataSource.manager,
      API_KEY_BY_PREFIX,
      [parsed.prefix],
    );
    const presented = createHash('sha256').update(parsed.secret).digest();
    if (!key || key.revoked_at !== null || !timingSafeEqual(presented, key.secret_hash)) {
      throw unauthenticated('api_key_invalid');
    }
    await this.touch(key.id);
    return { kind: 'api_key', id: key.id, role: key.role, schoolId: key.school_id };
  }

  private async touch(keyId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    await this.apiKeyUsage.record(keyId);
  }
}
