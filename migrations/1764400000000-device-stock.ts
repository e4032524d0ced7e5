import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Device stock: models, procurement batches, devices, their movements and repairs. */
export class DeviceStock1764400000000 implements MigrationInterface {
  name = 'DeviceStock1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE device_models (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        manufacturer  text NOT NULL CHECK (length(manufacturer) BETWEEN 1 AND 100),
        model         text NOT NULL CHECK (length(model) BETWEEN 1 AND 100),
        category      text NOT NULL CHECK (category IN ('laptop', 'chromebook', 'tablet')),
        specs         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(specs) = 'object'),
        version       integer NOT NULL DEFAULT 1,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT device_models_name_key UNIQUE (manufacturer, model)
      )`);

    await db.query(`
      CREATE TABLE procurement_batches (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contract_ref    text NOT NULL CHECK (length(contract_ref) BETWEEN 1 AND 100),
        funding_source  text NOT NULL CHECK (length(funding_source) BETWEEN 1 AND 100),
        received_on     date NOT NULL,
        unit_cost       bigint NOT NULL CHECK (unit_cost >= 0),
        quantity        integer NOT NULL CHECK (quantity > 0),
        model_id        uuid NOT NULL REFERENCES device_models (id),
        notes           text CHECK (length(notes) <= 2000),
        version         integer NOT NULL DEFAULT 1,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT procurement_batches_contract_ref_key UNIQUE (contract_ref)
      )`);

    // school_id NULL means the central store.
    await db.query(`
      CREATE TABLE devices (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        asset_tag         text NOT NULL CHECK (asset_tag = upper(btrim(asset_tag)) AND length(asset_tag) BETWEEN 1 AND 50),
        serial_number     text NOT NULL CHECK (serial_number = upper(btrim(serial_number)) AND length(serial_number) BETWEEN 1 AND 100),
        model_id          uuid NOT NULL REFERENCES device_models (id),
        batch_id          uuid NOT NULL REFERENCES procurement_batches (id),
        school_id         uuid REFERENCES schools (id),
        status            text NOT NULL DEFAULT 'in_stock'
                          CHECK (status IN ('in_stock', 'reserved', 'on_loan', 'in_repair', 'lost', 'stolen', 'retired')),
        condition         text NOT NULL DEFAULT 'new' CHECK (condition IN ('new', 'good', 'fair', 'poor', 'broken')),
        accessories       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(accessories) = 'object'),
        warranty_ends_on  date,
        notes             text CHECK (length(notes) <= 2000),
        retired_reason    text CHECK (retired_reason IN ('sold', 'scrapped', 'written_off', 'unrepairable')),
        last_seen_at      timestamptz,
        version           integer NOT NULL DEFAULT 1,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT devices_asset_tag_key UNIQUE (asset_tag),
        CONSTRAINT devices_serial_number_key UNIQUE (serial_number)
      )`);
    await db.query(`CREATE INDEX devices_school_status_idx ON devices (school_id, status)`);
    await db.query(`CREATE INDEX devices_batch_status_idx ON devices (batch_id, status)`);
    await db.query(`CREATE INDEX devices_model_idx ON devices (model_id)`);
    await db.query(`CREATE INDEX devices_listing_idx ON devices (asset_tag, id)`);
    await db.query(`CREATE INDEX devices_serial_prefix_idx ON devices (serial_number text_pattern_ops)`);
    await db.query(`CREATE INDEX devices_tag_prefix_idx ON devices (asset_tag text_pattern_ops)`);

    // Where devices went: one row per move between the store and schools.
    await db.query(`
      CREATE TABLE device_movements (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id       uuid NOT NULL REFERENCES devices (id),
        from_school_id  uuid REFERENCES schools (id),
        to_school_id    uuid REFERENCES schools (id),
        reason          text CHECK (length(reason) <= 500),
        moved_by        uuid,
        moved_at        timestamptz NOT NULL DEFAULT now(),
        CHECK (from_school_id IS DISTINCT FROM to_school_id)
      )`);
    await db.query(`CREATE INDEX device_movements_device_idx ON device_movements (device_id, moved_at)`);

    await db.query(`
      CREATE TABLE device_repairs (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id      uuid NOT NULL REFERENCES devices (id),
        school_id      uuid REFERENCES schools (id),
        vendor         text NOT NULL CHECK (length(vendor) BETWEEN 1 AND 200),
        problem        text NOT NULL CHECK (length(problem) BETWEEN 1 AND 2000),
        cost_estimate  bigint CHECK (cost_estimate >= 0),
        opened_by      uuid,
        opened_at      timestamptz NOT NULL DEFAULT now(),
        outcome        text CHECK (outcome IN ('repaired', 'unrepairable')),
        final_cost     bigint CHECK (final_cost >= 0),
        closed_by      uuid,
        closed_at      timestamptz,
        notes          text CHECK (length(notes) <= 2000),
        CHECK ((outcome IS NULL) = (closed_at IS NULL))
      )`);
    // One open repair per device, held by the database.
    await db.query(`CREATE UNIQUE INDEX device_repairs_one_open_idx ON device_repairs (device_id) WHERE closed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE device_repairs`);
    await db.query(`DROP TABLE device_movements`);
    await db.query(`DROP TABLE devices`);
    await db.query(`DROP TABLE procurement_batches`);
    await db.query(`DROP TABLE device_models`);
  }
}
