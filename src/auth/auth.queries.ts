import type { Role } from '../common/actor.js';
import { statement } from '../database/statements.js';

/** The account a login names, with what the password check and the token need. */
export const USER_FOR_LOGIN = statement<{ id: string; role: Role; active: boolean; password_hash: string }>(
  'auth_user_for_login',
  `SELECT id, role, active, password_hash FROM users WHERE email = $1`,
);

/** The credentials version a new token carries (bumped by a trigger when password, role or school change). */
export const USER_CREDENTIALS_VERSION = statement<{ credentials_version: number }>(
  'auth_user_credentials_version',
  `SELECT credentials_version FROM users WHERE id = $1`,
);

/** Logged-out tokens past their expiry need no entry: they are refused for being expired. */
export const REVOKED_TOKENS_PRUNE = statement('auth_revoked_tokens_prune', `DELETE FROM revoked_tokens WHERE expires_at < now()`);

export const REVOKED_TOKEN_INSERT = statement(
  'auth_revoked_token_insert',
  `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (jti) DO NOTHING`,
);
