import { issuePair, type FaultWorld, type Pair, sleep } from './fault-fixtures.js';
import { type Outcome, send } from './http-client.js';

/**
 * Steady issue-a-loan load as a careful client sends it: every pair (a distinct student and
 * device) once, with its own Idempotency-Key; a 503 or a dropped connection is retried with the
 * same key and body after a short pause, until it is acknowledged or the client gives up.
 * Every attempt is recorded with its own request id, which the audit log stores with the event
 * of the attempt that committed.
 */
export interface Attempt {
  pair: number;
  attempt: number;
  requestId: string;
  outcome: Outcome;
}

export interface LoadOptions {
  workers: number;
  /** Pause between one pair's acknowledgement and the next pair, per worker. */
  pauseMs: number;
  retryAfterMs: number;
  /** A client gives up on a pair after this long. */
  giveUpMs: number;
}

export class IssueLoad {
  readonly attempts: Attempt[] = [];
  /** Pairs whose client gave up (still unacknowledged). */
  readonly abandoned: number[] = [];
  private next = 0;
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly world: FaultWorld,
    readonly pairs: Pair[],
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    this.running = Array.from({ length: this.options.workers }, () => this.worker());
  }

  /** Takes no new pair; waits for every pair in progress to be acknowledged or given up. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  /** Pairs sent at least once. */
  get sent(): number {
    return Math.min(this.next, this.pairs.length);
  }

  private async worker(): Promise<void> {
    while (!this.stopping && this.next < this.pairs.length) {
      const index = this.next++;
      const began = Date.now();
      for (let attempt = 1; ; attempt++) {
        const requestId = `load-${index}-${attempt}`;
        const outcome = await issuePair(this.world, this.pairs[index], requestId);
        this.attempts.push({ pair: index, attempt, requestId, outcome });
        if (outcome.status !== undefined && outcome.status !== 503 && !outcome.error) break;
        if (Date.now() - began > this.options.giveUpMs) {
          this.abandoned.push(index);
          break;
        }
        await sleep(this.options.retryAfterMs);
      }
      await sleep(this.options.pauseMs);
    }
  }
}

/** Polls `/health/ready` until stopped, recording every answer. */
export class ReadinessProbe {
  readonly samples: Outcome[] = [];
  private stopping = false;
  private loop?: Promise<void>;

  constructor(
    private readonly baseUrl: string,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopping) {
        this.samples.push(await send(this.baseUrl, 'GET', '/health/ready', { timeoutMs: 10_000 }));
        await sleep(this.everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  /** The first sample started at or after `from` whose status is `status`. */
  first(status: number, from: number): Outcome | undefined {
    return this.samples.find((s) => s.startedAt >= from && s.status === status);
  }
}
