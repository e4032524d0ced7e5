import pg from 'pg';

/** Past the statement timeout, how long the server may take to tell us so before we give up on it. */
export const SILENCE_MARGIN_MS = 3000;

const SET_TIMEOUT = /^\s*SET\s+(LOCAL\s+)?statement_timeout\s*(?:=|TO)\s*'?\s*(\d+)\s*(ms|s|min|h)?\s*'?\s*;?\s*$/i;
const TRANSACTION_END = /^\s*(COMMIT|ROLLBACK|END|ABORT)\b(?!\s+TO\b)/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/**
 * A pg client that gives up on a server that has stopped answering. PostgreSQL enforces
 * `statement_timeout` itself, so a healthy server always answers within it (rows or error
 * 57014). Silence past it, plus a margin, means the server is frozen or the network between us
 * is gone, and without this a request would wait on that connection forever (measured in
 * test/reliability/faults.test.ts: a SIGSTOPped server held requests past 30 s). The connection
 * is destroyed: the query fails with "Connection terminated", the request answers 503, and the
 * pool drops the client instead of handing it out again.
 *
 * The bound follows the statement timeout in force on this connection, including a longer one a
 * transaction sets with `SET LOCAL statement_timeout` (the imports do), until it ends. Streaming
 * queries (custom query objects, e.g. COPY) are not bounded here.
 */
export class BoundedClient extends pg.Client {
  private timeouts: StatementTimeouts;
  /** The socket holds its writes until the end of this tick (coalesceWrites). */
  private corked = false;

  constructor(config: pg.ClientConfig) {
    super(config);
    const parameters = (this as unknown as { connectionParameters: { statement_timeout?: number } }).connectionParameters;
    this.timeouts = { session: Number(parameters.statement_timeout ?? 0) };
  }

  // pg's overloads are many (promise, callback, config object with a callback, submittable):
  // each goes through here with its answer watched by one timer.
  override query(...args: unknown[]): never {
    const config = args[0] as { text?: unknown; submit?: unknown; callback?: unknown } | string | undefined;
    const text = typeof config === 'string' ? config : config?.text;
    const limit = this.currentTimeoutMs();
    if (typeof text === 'string') this.track(text);
    this.coalesceWrites();
    const run = (super.query as (...a: unknown[]) => unknown).bind(this);
    if (!limit || (typeof config === 'object' && typeof config?.submit === 'function')) return run(...args) as never;

    const timer = setTimeout(() => this.giveUp(), limit + SILENCE_MARGIN_MS);
    timer.unref();
    const watched = (callback: (...r: unknown[]) => void) => (...r: unknown[]) => {
      clearTimeout(timer);
      callback(...r);
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      args[last] = watched(args[last] as (...r: unknown[]) => void);
    } else if (typeof config === 'object' && config !== null && typeof config.callback === 'function') {
      args[0] = { ...config, callback: watched(config.callback as (...r: unknown[]) => void) };
    }
    const result = run(...args);
    return (result instanceof Promise ? result.finally(() => clearTimeout(timer)) : result) as never;
  }

  /**
   * On a pipelining connection (Transactions.run, Transactions.together), `pg` writes each query
   * to the socket as it is handed over: one `writev` system call per statement, the largest item
   * of the profile (much of it the process descheduled inside the call when the write
   * wakes PostgreSQL on 2 cores; docs/benchmarks.md). Holding the socket's writes
   * until the current tick's work is done sends the statements started together as one write;
   * it changes no order, and nothing waits longer than the end of the tick.
   */
  private coalesceWrites(): void {
    const stream = (this as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
    if (!(this as unknown as { pipeline?: boolean }).pipeline || this.corked || !stream?.cork) return;
    stream.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      stream.uncork!();
    });
  }

  /** Drops the connection: the query in flight fails, and the pool discards this client. */
  private giveUp(): void {
    (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  private currentTimeoutMs(): number {
    return this.timeouts.transaction ?? this.timeouts.session;
  }

  private track(text: string): void {
    this.timeouts = timeoutsAfter(text, this.timeouts);
  }
}

/** The statement timeout of the session, and the one the current transaction set (SET LOCAL), in ms; 0 is none. */
export interface StatementTimeouts {
  session: number;
  transaction?: number;
}

/** The timeouts in force after `text` runs on a connection. */
export function timeoutsAfter(text: string, current: StatementTimeouts): StatementTimeouts {
  const set = SET_TIMEOUT.exec(text);
  if (set) {
    const ms = Number(set[2]) * UNIT_MS[(set[3] ?? 'ms').toLowerCase()];
    return set[1] ? { ...current, transaction: ms } : { ...current, session: ms };
  }
  return TRANSACTION_END.test(text) ? { session: current.session } : current;
}
