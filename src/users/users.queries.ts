import { statement } from '../database/statements.js';

/** Replicas starting together take turns creating the first admin (the lock answers void: an empty string). */
export const USERS_BOOTSTRAP_LOCK = statement<{ locked: string }>('users_bootstrap_lock', `SELECT pg_advisory_xact_lock($1) AS locked`);

export const USERS_COUNT = statement<{ count: number }>('users_count', `SELECT count(*)::int AS count FROM users`);

export const USER_ACTIVE_PASSWORD_HASH = statement<{ password_hash: string }>(
  'user_active_password_hash',
  `SELECT password_hash FROM users WHERE email = $1 AND active`,
);
