#!/usr/bin/env bash
# Started detached by topology.ts for each topology: waits until the test process ($1) is gone
# or the topology's folder ($2) has been removed by a normal teardown. If the test process died
# first (Ctrl-C, a CI timeout, a crash), stops what the topology started and removes the folder.
parent=$1 root=$2 pg_bin=$3
while kill -0 "$parent" 2>/dev/null && [ -d "$root" ]; do sleep 1; done
[ -d "$root" ] || exit 0
for pid in $(cat "$root/api.pids" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
[ -f "$root/bouncer.pgid" ] && kill -9 -- "-$(cat "$root/bouncer.pgid")" 2>/dev/null
for dir in "$root"/*/; do
  [ -f "$dir/postmaster.pid" ] || continue
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$dir" -m immediate -w -t 20 stop >/dev/null 2>&1
  else
    "$pg_bin/pg_ctl" -D "$dir" -m immediate -w -t 20 stop >/dev/null 2>&1
  fi || kill -9 "$(head -1 "$dir/postmaster.pid")" 2>/dev/null
done
rm -rf "$root"
