import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The platform: schools, users, API keys, idempotency records and the append-only audit log
 * with its hash-chained seal blocks (see docs/audit.md).
 */
export class Platform1764300000000 implements MigrationInterface {
  name = 'Platform1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE schools (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        npsn        text NOT NULL CONSTRAINT schools_npsn_format CHECK (npsn ~ '^[0-9]{8}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        level       text NOT NULL CHECK (level IN ('SD', 'SMP', 'SMA', 'SMK')),
        district    text NOT NULL CHECK (length(district) BETWEEN 1 AND 100),
        address     text CHECK (length(address) <= 500),
        active      boolean NOT NULL DEFAULT true,
        version     integer NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT schools_npsn_key UNIQUE (npsn)
      )`);
    await db.query(`CREATE INDEX schools_name_idx ON schools (name, id)`);
    await db.query(`CREATE INDEX schools_district_idx ON schools (district)`);

    await db.query(`
      CREATE TABLE users (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email          text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
        name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        password_hash  text NOT NULL,
        role           text NOT NULL CHECK (role IN ('program_admin', 'school_admin', 'auditor')),
        school_id      uuid REFERENCES schools (id),
        active         boolean NOT NULL DEFAULT true,
        version        integer NOT NULL DEFAULT 1,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_school_matches_role CHECK ((role = 'school_admin') = (school_id IS NOT NULL))
      )`);

    await db.query(`
      CREATE TABLE api_keys (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        prefix        text NOT NULL,
        secret_hash   bytea NOT NULL,
        role          text NOT NULL CHECK (role IN ('program_admin', 'school_admin', 'auditor')),
        school_id     uuid REFERENCES schools (id),
        created_by    uuid REFERENCES users (id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        revoked_at    timestamptz,
        last_used_at  timestamptz,
        CONSTRAINT api_keys_prefix_key UNIQUE (prefix),
        CONSTRAINT api_keys_school_matches_role CHECK ((role = 'school_admin') = (school_id IS NOT NULL))
      )`);

    // A replayed POST answers with the stored response. The row is written in the same
    // transaction as the effect, so a concurrent retry waits on the key and then replays.
    await db.query(`
      CREATE TABLE idempotency_records (
        actor_key      text NOT NULL,
        key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        fingerprint    bytea NOT NULL,
        response_body  text,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_key, key)
      )`);
    await db.query(`CREATE INDEX idempotency_records_created_idx ON idempotency_records (created_at)`);

    await db.query(`
      CREATE TABLE audit_events (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tx_id        xid8 NOT NULL,
        occurred_at  timestamptz NOT NULL,
        actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
        actor_id     uuid,
        actor_role   text,
        action       text NOT NULL CHECK (action ~ '^[a-z_]+(\\.[a-z_]+)+$'),
        entity_type  text NOT NULL,
        entity_id    text NOT NULL,
        school_id    uuid,
        before       jsonb,
        after        jsonb,
        request_id   text,
        hash         bytea NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_events_tx_idx ON audit_events (tx_id, id)`);
    await db.query(`CREATE INDEX audit_events_school_idx ON audit_events (school_id, id)`);
    await db.query(`CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id)`);
    await db.query(`CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at, id)`);

    // The content digest of one event. Used by the insert trigger and by verification, so both
    // always agree on what an event's content is. Times are hashed as microseconds since the
    // epoch so the session's time zone cannot change the digest.
    await db.query(`
      CREATE FUNCTION audit_event_digest(e audit_events) RETURNS bytea
      LANGUAGE sql IMMUTABLE AS $$
        SELECT sha256(convert_to(jsonb_build_array(
          e.id, e.tx_id::text, (extract(epoch FROM e.occurred_at) * 1000000)::bigint,
          e.actor_type, e.actor_id, e.actor_role, e.action, e.entity_type, e.entity_id,
          e.school_id, e.before, e.after, e.request_id
        )::text, 'UTF8'))
      $$`);

    // The writer cannot choose its transaction id, time or hash: the database sets them.
    await db.query(`
      CREATE FUNCTION audit_events_stamp() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        NEW.tx_id := pg_current_xact_id();
        NEW.occurred_at := now();
        NEW.hash := audit_event_digest(NEW);
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_events_stamp BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_stamp()`);

    await db.query(`
      CREATE TABLE audit_blocks (
        block_no     bigint PRIMARY KEY CHECK (block_no >= 1),
        from_tx      xid8 NOT NULL,
        to_tx        xid8 NOT NULL,
        event_count  integer NOT NULL CHECK (event_count > 0),
        prev_hash    bytea NOT NULL,
        hash         bytea NOT NULL,
        sealed_at    timestamptz NOT NULL DEFAULT now(),
        CHECK (from_tx < to_tx)
      )`);

    // One block's digest: chained to the previous block's hash, covering every event whose
    // transaction id falls in [from, to), in (tx_id, id) order. The sealer and the verifier both
    // call this, so they cannot disagree on the formula.
    await db.query(`
      CREATE FUNCTION audit_block_digest(p_block_no bigint, p_from xid8, p_to xid8, p_prev bytea)
      RETURNS TABLE (event_count integer, hash bytea)
      LANGUAGE sql STABLE AS $$
        SELECT count(*)::integer,
               sha256(p_prev
                      || convert_to(p_block_no::text || ':' || p_from::text || ':' || p_to::text || ':' || count(*)::text, 'UTF8')
                      || coalesce(string_agg(e.hash, ''::bytea ORDER BY e.tx_id, e.id), ''::bytea))
        FROM audit_events e
        WHERE e.tx_id >= p_from AND e.tx_id < p_to
      $$`);

    await db.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'audit_blocks']) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_blocks`);
    await db.query(`DROP TABLE audit_events CASCADE`);
    await db.query(`DROP FUNCTION audit_block_digest`);
    await db.query(`DROP FUNCTION audit_refuse_change`);
    await db.query(`DROP FUNCTION audit_events_stamp`);
    await db.query(`DROP TABLE idempotency_records`);
    await db.query(`DROP TABLE api_keys`);
    await db.query(`DROP TABLE users`);
    await db.query(`DROP TABLE schools`);
  }
}
