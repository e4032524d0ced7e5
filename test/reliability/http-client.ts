import { request } from 'node:http';

/**
 * One HTTP request on its own connection, never rejecting: a transport failure (connection
 * refused, reset, socket hang-up) comes back as `error` with its code, so a test can tell "the
 * service answered 503" from "the service dropped the request".
 */
export interface Outcome {
  status?: number;
  contentType?: string;
  headers?: Record<string, string | string[] | undefined>;
  text?: string;
  body?: unknown;
  /** ECONNREFUSED, ECONNRESET, 'socket hang up', 'timeout'... */
  error?: string;
  startedAt: number;
  ms: number;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: unknown;
  /** Give up (error 'timeout') after this long; default 30 s. */
  timeoutMs?: number;
}

export function send(baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Outcome> {
  const startedAt = Date.now();
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((done) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'startedAt' | 'ms'>) => {
      if (settled) return;
      settled = true;
      done({ ...outcome, startedAt, ms: Date.now() - startedAt });
    };
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        agent: false,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => finish({ status: res.statusCode, error: error.code ?? error.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          finish({ status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, text, body });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => {
      req.destroy();
      finish({ error: 'timeout' });
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
    req.end(payload);
  });
}

/** The status, or the transport error, of each outcome, counted. */
export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status !== undefined && !o.error ? String(o.status) : (o.error ?? 'none');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** What no error body may contain: stack frames, SQL, driver messages, file paths. */
export const INTERNALS = /\bat [\w.<>]+ \(|\.[jt]s:\d+|node_modules|\/work\/|\/src\/|SELECT |INSERT |UPDATE |FOR UPDATE|pg_|terminating connection|ECONN|QueryFailed|timeout exceeded/i;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
