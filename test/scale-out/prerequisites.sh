#!/usr/bin/env bash
# What `npm run test:scale-out` needs besides node_modules: Debian's PostgreSQL 15 server
# binaries (pg_basebackup, initdb, pg_ctl) and PgBouncer. Installed with apt-get when missing
# and we may (root, a fresh CI machine); otherwise a clear message.
set -euo pipefail
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
missing=()
[ -x "$PG_BIN/pg_basebackup" ] || missing+=(postgresql-15)
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start their own services; this suite runs its own servers on free ports.
  systemctl disable --now pgbouncer >/dev/null 2>&1 || true
else
  echo "test:scale-out needs ${missing[*]} (Debian: apt-get install ${missing[*]}); PG_BIN=$PG_BIN" >&2
  exit 1
fi
