import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig, NotificationSettings } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { runStatement } from '../database/statements.js';
import { type ClaimedRow, OUTBOX_CLAIM_DUE, OUTBOX_GIVE_UP, OUTBOX_LEASE, OUTBOX_MARK_FAILED, OUTBOX_MARK_SENT } from './notification-dispatcher.queries.js';
import { retryDelayMs } from './notification-rules.js';

/** Rows claimed (and posted concurrently) at a time. */
const BATCH = 20;
/** How long a claimed row is left alone beyond the request timeout, should this process die mid-send. */
const LEASE_MARGIN_MS = 60_000;
const CANCELLED = 'not sent: the loan was closed or its due date changed before delivery';

export interface DispatchResult {
  sent: number;
  failed: number;
  dead: number;
  cancelled: number;
}

/**
 * Delivers queued outbox rows to NOTIFY_WEBHOOK_URL (see docs/notifications.md). A short
 * transaction claims a batch with `FOR UPDATE SKIP LOCKED`, counts the attempt and leases the rows
 * (pushes `next_attempt_at` past the request timeout), so other replicas skip them and no
 * transaction stays open during HTTP calls. Delivery is at least once: the outbox id goes along as
 * `Idempotency-Key` for the gateway to drop a repeat. Idle when no URL is configured.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationDispatcher.name);
  private readonly settings: NotificationSettings;
  private timer?: NodeJS.Timeout;
  private running?: Promise<DispatchResult>;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = config.notifications;
  }

  onApplicationBootstrap(): void {
    if (this.settings.webhookUrl) this.scheduleNext();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Delivers everything due now; a call while a pass is running joins it. */
  dispatchDue(): Promise<DispatchResult> {
    this.running ??= this.dispatchLoop().finally(() => (this.running = undefined));
    return this.running;
  }

  private scheduleNext(): void {
    this.timer = setTimeout(() => {
      this.dispatchDue()
        .catch((error) => this.logger.warn({ err: error }, 'notification dispatch failed; will retry'))
        .finally(() => this.stopping || this.scheduleNext());
    }, this.settings.dispatchIntervalMs);
    this.timer.unref();
  }

  private async dispatchLoop(): Promise<DispatchResult> {
    const result: DispatchResult = { sent: 0, failed: 0, dead: 0, cancelled: 0 };
    if (!this.settings.webhookUrl) return result;
    while (!this.stopping) {
      const { live, cancelled, claimed } = await this.claim();
      result.cancelled += cancelled;
      const outcomes = await Promise.all(live.map(async (row) => ({ row, error: await this.post(row) })));
      for (const { row, error } of outcomes) result[await this.record(row, error)] += 1;
      // A whole batch refused: the gateway is likely down; leave the rest for the next pass.
      if (claimed < BATCH || (outcomes.length > 0 && outcomes.every((o) => o.error !== null))) break;
    }
    return result;
  }

  private claim(): Promise<{ live: ClaimedRow[]; cancelled: number; claimed: number }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const rows = await runStatement(tx, OUTBOX_CLAIM_DUE, [now, BATCH]);
      // A reminder about a loan returned, lost or extended since it was written would be wrong now.
      const stale = rows.filter((r) => !r.still_due).map((r) => r.id);
      if (stale.length) {
        await runStatement(tx, OUTBOX_GIVE_UP, [stale, CANCELLED]);
      }
      const live = rows.filter((r) => r.still_due);
      if (live.length) {
        await runStatement(tx, OUTBOX_LEASE, [
          live.map((r) => r.id),
          new Date(now.getTime() + this.settings.timeoutMs + LEASE_MARGIN_MS),
        ]);
      }
      return { live: live.map((r) => ({ ...r, attempts: r.attempts + 1 })), cancelled: stale.length, claimed: rows.length };
    });
  }

  /** One POST; answers null when the gateway took it (2xx), else why not. */
  private async post(row: ClaimedRow): Promise<string | null> {
    const { webhookUrl, webhookToken, timeoutMs } = this.settings;
    try {
      const response = await fetch(webhookUrl!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': row.id,
          'user-agent': 'laptop-loans-notifier/1',
          ...(webhookToken ? { authorization: `Bearer ${webhookToken}` } : {}),
        },
        body: JSON.stringify({
          id: row.id,
          kind: row.kind,
          level: row.level,
          recipientType: row.recipient_type,
          recipient: row.recipient,
          ...row.payload,
          createdAt: row.created_at.toISOString(),
        }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) return null;
      return `HTTP ${response.status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
      return `request failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`.slice(0, 500);
    }
  }

  /**
   * Writes the outcome, only if the row is still the one this pass claimed (same attempt count):
   * had the lease run out and another replica taken it over, that replica owns the row now.
   */
  private async record(row: ClaimedRow, error: string | null): Promise<'sent' | 'failed' | 'dead'> {
    const now = this.clock.now();
    if (error === null) {
      await runStatement(this.dataSource.manager, OUTBOX_MARK_SENT, [row.id, row.attempts, now]);
      return 'sent';
    }
    const outcome = row.attempts >= this.settings.maxAttempts ? 'dead' : 'failed';
    const next = new Date(now.getTime() + retryDelayMs(row.attempts, this.settings.retryBaseMs));
    await runStatement(this.dataSource.manager, OUTBOX_MARK_FAILED, [
      row.id,
      row.attempts,
      outcome,
      next,
      error,
    ]);
    if (outcome === 'dead') this.logger.warn({ notification: row.id, attempts: row.attempts, error }, 'notification given up');
    return outcome;
  }
}
