#!/usr/bin/env bash
# Writes pgbouncer.ini and its user list from the environment, then runs PgBouncer in the
# foreground. Failover: change PRIMARY_HOST (or the file) and send RELOAD on the admin console.
set -euo pipefail
conf=/tmp/pgbouncer
mkdir -p "$conf"
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > "$conf/userlist.txt"
cat > "$conf/pgbouncer.ini" <<INI
[databases]
${DB_NAME} = host=${PRIMARY_HOST} port=5432 dbname=${DB_NAME}
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
auth_file = $conf/userlist.txt
admin_users = ${DB_USER}
pool_mode = ${POOL_MODE:-session}
max_client_conn = ${MAX_CLIENT_CONN:-1000}
default_pool_size = ${DEFAULT_POOL_SIZE:-120}
ignore_startup_parameters = extra_float_digits,options,statement_timeout,lock_timeout,idle_in_transaction_session_timeout
server_connect_timeout = 3
server_login_retry = 1
INI
exec pgbouncer "$conf/pgbouncer.ini"
