import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exact text an audit event's hash is taken of, as its own function, so an evidence pack can
 * carry it and anyone can re-hash it offline (docs/evidence-pack.md). `audit_event_digest` now
 * hashes this text: the same expression as before, in one place, so every stored hash still
 * matches and the sealer, the verifier and the pack cannot disagree.
 */
export class AuditEventCanonical1766100001000 implements MigrationInterface {
  name = 'AuditEventCanonical1766100001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION audit_event_canonical(e audit_events) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_build_array(
          e.id, e.tx_id::text, (extract(epoch FROM e.occurred_at) * 1000000)::bigint,
          e.actor_type, e.actor_id, e.actor_role, e.action, e.entity_type, e.entity_id,
          e.school_id, e.before, e.after, e.request_id
        )::text
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_event_digest(e audit_events) RETURNS bytea
      LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(convert_to(audit_event_canonical(e), 'UTF8'))
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_event_digest(e audit_events) RETURNS bytea
      LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(convert_to(jsonb_build_array(
          e.id, e.tx_id::text, (extract(epoch FROM e.occurred_at) * 1000000)::bigint,
          e.actor_type, e.actor_id, e.actor_role, e.action, e.entity_type, e.entity_id,
          e.school_id, e.before, e.after, e.request_id
        )::text, 'UTF8'))
      $$`);
    await db.query(`DROP FUNCTION audit_event_canonical`);
  }
}
