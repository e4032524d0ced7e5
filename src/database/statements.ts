import type { Pool, PoolClient } from 'pg';
import { type EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Every SQL statement of the service is declared once, in its owner's file, with a name and the
 * type of its rows (`never` when it returns none), and run with `runStatement`. The row type is
 * checked against what PostgreSQL describes for the statement on the migrated schema
 * (test/architecture/row-types.test.ts), so a renamed column or a changed type fails a test.
 *
 * The name must be unique per text: `pg` refuses a second text under a known prepared name, and
 * logs and the row-type test name statements by it.
 */
export interface Statement<Row = unknown> {
  readonly name: string;
  readonly text: string;
  /** Prepared once per connection (see `prepared`), or parsed and planned on every call. */
  readonly prepare: boolean;
  /** Never set: carries the row type, so the statement and its rows are declared in one place. */
  readonly row?: Row;
}

/**
 * A statement the hot paths (issuing a loan, authenticating a request, reading a loan) run so
 * often that PostgreSQL should parse and plan it once per connection rather than on every call:
 * a named prepared statement. In the benchmark (docs/benchmarks.md) planning the unnamed
 * statements again and again was a large share of the database's work per issued loan.
 */
export const prepared = <Row = never>(name: string, text: string): Statement<Row> => ({ name, text, prepare: true });

/**
 * A statement planned on every call with its values at hand: everything off the hot paths.
 * Reports, set-based work and filtered lists want that (`$2::uuid IS NULL OR school_id = $2`
 * folds away when the planner sees the value), and a rare statement would only hold a prepared
 * plan on every connection for nothing.
 */
export const statement = <Row = never>(name: string, text: string): Statement<Row> => ({ name, text, prepare: false });

/**
 * Off (DB_NAMED_STATEMENTS=false) for a pooler in transaction mode without prepared-statement
 * support (PgBouncer before 1.21): a name prepared on one server connection is unknown on the
 * next. Set once at start-up, before the first query; the process has one database.
 */
let namedStatements = true;
export function useNamedStatements(enabled: boolean): void {
  namedStatements = enabled;
}

/**
 * Runs a statement in the manager's transaction (on its connection), or on the pool when
 * the manager has none. Errors come out as TypeORM's QueryFailedError, with the SQLSTATE, like
 * every other query, so the problem mapping and callers' checks see no difference.
 *
 * Statements started together (`Promise.all`) on a transaction that `Transactions.run` opened are
 * sent together: its connection pipelines (see there), so they cost one round trip, in call order.
 */
export function runStatement<T>(tx: EntityManager, statement: Statement<T>, values: unknown[]): Promise<T[]> {
  const runner = tx.queryRunner;
  if (!runner) return sendStatement((tx.connection.driver as PostgresDriver).master as Pool, statement, values);
  // A transaction's connection, once taken, gets the statement now, not after an await: statements
  // are handed over in the order they are called, which a pipelined transaction relies on (a
  // statement sent with COMMIT must be handed over before it, Transactions.sendWithCommit).
  const connected = (runner as unknown as { databaseConnection?: PoolClient }).databaseConnection;
  if (connected && !runner.isReleased) return sendStatement(connected, statement, values);
  return runner.connect().then((client) => sendStatement(client as PoolClient, statement, values));
}

/**
 * The statement handed to the connection now, without waiting for anything first: statements
 * sent one after another on a pipelining connection travel together and run in this order.
 */
export function sendStatement<T>(client: PoolClient | Pool, statement: Statement<T>, values: readonly unknown[]): Promise<T[]> {
  const text = statement.text;
  return client.query(namedStatements && statement.prepare ? { name: statement.name, text, values: values as unknown[] } : { text, values: values as unknown[] }).then(
    (result) => result.rows as T[],
    (error: unknown) => {
      // Connection failures keep their own shape (the problem filter maps them to 503).
      if ((error as { code?: string }).code === undefined || !(error instanceof Error) || !('severity' in error)) throw error;
      throw new QueryFailedError(statement.text, values as unknown[], error);
    },
  );
}
