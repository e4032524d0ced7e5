import type pg from 'pg';

/** The group role the running service's login role belongs to. It owns nothing. */
export const APP_ROLE = 'laptop_loans_app';

/**
 * Least privilege for the running service, applied after every migration run (so new tables are
 * covered): read and write data, but not own the tables, not change the schema, and never
 * UPDATE, DELETE or TRUNCATE the audit log, whatever a bug or an injected statement tries. The
 * triggers refuse those too; the privileges make it hold even for a session that disables
 * triggers, which only an owner or superuser may do.
 */
export async function applyAppRolePrivileges(client: pg.Client): Promise<void> {
  const { rowCount } = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [APP_ROLE]);
  if (!rowCount) {
    try {
      await client.query(`CREATE ROLE ${APP_ROLE} NOLOGIN`);
    } catch (error) {
      // A managed server may not let the migrating user create roles: the operator creates the
      // role once (docs/operations.md); until then the service runs with the migrating user.
      if ((error as { code?: string }).code !== '42501' && (error as { code?: string }).code !== '23505') throw error;
      if ((error as { code?: string }).code === '42501') {
        console.warn(`Could not create the role ${APP_ROLE} (no CREATEROLE): least-privilege grants skipped; see docs/operations.md`);
        return;
      }
    }
  }
  await client.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
  await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_blocks FROM ${APP_ROLE}`);
  await client.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${APP_ROLE}`);
  await client.query(`REVOKE CREATE ON SCHEMA public FROM ${APP_ROLE}`);
}

/**
 * A login role for the service, member of the app role, with the service's time limits as role
 * settings (so they hold for any client, not only our pool). Used by the embedded start-up and the
 * tests; an operator does the same once by hand for an external server (docs/operations.md).
 */
export async function ensureLoginRole(client: pg.Client, name: string, password: string): Promise<void> {
  const exists = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [name]);
  const ident = client.escapeIdentifier(name);
  const secret = client.escapeLiteral(password);
  if (!exists.rowCount) await client.query(`CREATE ROLE ${ident} LOGIN PASSWORD ${secret} IN ROLE ${APP_ROLE}`);
  else await client.query(`ALTER ROLE ${ident} LOGIN PASSWORD ${secret}`);
  await client.query(`GRANT ${APP_ROLE} TO ${ident}`);
  await client.query(`ALTER ROLE ${ident} SET statement_timeout = '15s'`);
  await client.query(`ALTER ROLE ${ident} SET lock_timeout = '5s'`);
  await client.query(`ALTER ROLE ${ident} SET idle_in_transaction_session_timeout = '60s'`);
}
