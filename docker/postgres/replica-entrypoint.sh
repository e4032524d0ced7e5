#!/usr/bin/env bash
# The streaming replica: on first start, a base backup of the primary (-R writes
# standby.signal and primary_conninfo); then PostgreSQL as a hot standby. cluster_name is the
# name the primary's synchronous_standby_names refers to.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h primary -p 5432 -q; do sleep 1; done
  export PGPASSWORD="$REPLICATION_PASSWORD"
  gosu postgres pg_basebackup -h primary -p 5432 -U replicator -D "$PGDATA" -R -X stream -S replica1 -c fast
  chmod 0700 "$PGDATA"
fi
# hot_standby_feedback: a long report on the replica is not cancelled by the primary's vacuum.
exec gosu postgres postgres -c hot_standby=on -c hot_standby_feedback=on -c cluster_name=replica1
