#!/usr/bin/env bash
# Starts the service as `npm start` does, on a fresh embedded data folder, and checks what a new
# user would: it gets ready, /docs and /health/ready answer, the printed demo credentials log in,
# a school can be created and listed; then SIGTERM stops it (and its PostgreSQL) cleanly.
set -euo pipefail
dir=$(mktemp -d); chmod 755 "$dir"
log="$dir/start.log"
port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
DATA_DIR="$dir/data" PORT="$port" npm start >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 60); do grep -q 'is ready' "$log" && break; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.5; done
grep -q 'is ready' "$log" || { cat "$log"; echo "not ready in 30 s"; exit 1; }
base="http://127.0.0.1:$port"
password=$(grep -oE 'password [A-Za-z0-9_-]+' "$log" | head -1 | cut -d' ' -f2)
curl -fsS "$base/health/ready" >/dev/null
curl -fsS "$base/docs" | grep -q 'swagger' 
token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@laptop-loans.local\",\"password\":\"$password\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
curl -fsS "$base/api/v1/schools" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"npsn":"12345678","name":"SMP Negeri 1","level":"SMP","district":"Medan Baru"}' >/dev/null
curl -fsS "$base/api/v1/schools" -H "authorization: Bearer $token" | grep -q '"npsn":"12345678"'
kill -TERM $pid
wait $pid || true # npm reports the signal it forwarded; what matters is below
for _ in $(seq 1 20); do [ -e "$dir/data/pg/postmaster.pid" ] || break; sleep 0.5; done
grep -q 'SIGTERM received' "$log" || { cat "$log"; echo "the service did not see SIGTERM"; exit 1; }
test ! -e "$dir/data/pg/postmaster.pid" || { echo "embedded PostgreSQL still running after SIGTERM"; exit 1; }
echo "npm start smoke test passed (port $port)"
