import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the reports' date-range scans (see docs/reports.md). Each report filters one event
 * table by a time range, city-wide or for one school; without these the activity and losses
 * reports read every loan, return, loss and charge ever recorded. Overdue, coverage and stock
 * reconciliation use indexes that already exist.
 */
export class ReportIndexes1764900000000 implements MigrationInterface {
  name = 'ReportIndexes1764900000000';

  async up(db: QueryRunner): Promise<void> {
    // Activity: loans issued in a range, city-wide and at one school.
    await db.query(`CREATE INDEX loans_issued_idx ON loans (issued_at)`);
    await db.query(`CREATE INDEX loans_school_issued_idx ON loans (school_id, issued_at)`);
    // Activity: returns received in a range.
    await db.query(`CREATE INDEX loan_returns_received_idx ON loan_returns (received_at)`);
    await db.query(`CREATE INDEX loan_returns_school_received_idx ON loan_returns (school_id, received_at)`);
    // Activity and losses: losses reported in a range (a small table; one index serves both scopes).
    await db.query(`CREATE INDEX loan_losses_reported_idx ON loan_losses (reported_at)`);
    // Losses: charges created in a range city-wide (one school uses charges_school_status_idx).
    await db.query(`CREATE INDEX charges_created_idx ON charges (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const index of ['charges_created_idx', 'loan_losses_reported_idx', 'loan_returns_school_received_idx', 'loan_returns_received_idx', 'loans_school_issued_idx', 'loans_issued_idx']) {
      await db.query(`DROP INDEX ${index}`);
    }
  }
}
