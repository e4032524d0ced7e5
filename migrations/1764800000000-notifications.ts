import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification outbox: reminders about loans, written by the daily job and delivered to the
 * city's SMS/WhatsApp gateway by the dispatcher (see docs/notifications.md).
 */
export class Notifications1764800000000 implements MigrationInterface {
  name = 'Notifications1764800000000';

  async up(db: QueryRunner): Promise<void> {
    // `recipient` is the guardian's phone (E.164) or, for the school, its NPSN; `payload` holds
    // only what the gateway needs beyond that: the message, the agreement number and the due
    // date. No student or guardian name is ever written here.
    await db.query(`
      CREATE TABLE outbox (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind             text NOT NULL CHECK (kind IN ('loan.reminder', 'loan.escalation')),
        loan_id          uuid NOT NULL REFERENCES loans (id),
        school_id        uuid NOT NULL REFERENCES schools (id),
        level            text NOT NULL CHECK (level ~ '^[a-z0-9_]{1,30}$'),
        level_days       integer NOT NULL,
        recipient_type   text NOT NULL CHECK (recipient_type IN ('guardian', 'school')),
        recipient        text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 50),
        payload          jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'dead')),
        attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text CHECK (length(last_error) <= 500),
        created_at       timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz,
        -- A reminder level is written at most once per loan, whoever writes it and however often.
        CONSTRAINT outbox_loan_level_key UNIQUE (loan_id, level),
        CHECK ((status = 'sent') = (sent_at IS NOT NULL))
      )`);
    // What the dispatcher claims: only rows still to deliver.
    await db.query(`CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE status IN ('queued', 'failed')`);
    // Listing, newest first, city-wide or per school.
    await db.query(`CREATE INDEX outbox_created_idx ON outbox (created_at, id)`);
    await db.query(`CREATE INDEX outbox_school_created_idx ON outbox (school_id, created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
  }
}
