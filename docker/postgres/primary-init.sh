#!/usr/bin/env bash
# Runs once, when the primary's data folder is created (docker-entrypoint-initdb.d): a role for
# streaming replication, a slot that keeps WAL until the replica has it, and the replica's
# access in pg_hba.conf. Settings that PgBouncer 1.18 cannot pass as startup parameters
# (docs/scaling.md) are set on the database.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}';
SELECT pg_create_physical_replication_slot('replica1');
ALTER DATABASE "$POSTGRES_DB" SET statement_timeout = '15s';
ALTER DATABASE "$POSTGRES_DB" SET lock_timeout = '5s';
ALTER DATABASE "$POSTGRES_DB" SET idle_in_transaction_session_timeout = '60s';
ALTER DATABASE "$POSTGRES_DB" SET TimeZone = 'UTC';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
