#!/usr/bin/env bash
# npm run bench:curve: how issue throughput, reads and report times change with the size of the
# data, from 10,000 to 1,000,000 loans (docs/scaling.md, docs/benchmarks.md "Scaling curve").
#
# For each size: bench/run.mjs seeds a fresh database of that size and measures issue-a-loan
# (API and raw SQL) and the loan look-up (API and bare route), 1 run of 10 s each; then
# bench/reports.mjs times every report on a database of the same size (seeded once per size into
# .bench/curve-<loans>/ and reused by later runs, like `bench:reports -- --reuse`).
# Prints the lines of each run that carry figures; the full output is in .bench/curve-<loans>.log.
#
#   npm run bench:curve                  10k, 100k, 1M loans (the 1M seed alone takes ~4 min)
#   SIZES="10000 100000" npm run bench:curve
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
mkdir -p .bench
for loans in ${SIZES:-10000 100000 1000000}; do
  people=$((loans / 5)); [ "$people" -lt 10000 ] && people=10000; schools=300
  [ "$loans" -lt 100000 ] && schools=50
  args=(--students "$people" --devices "$people" --loans "$loans" --schools "$schools")
  log=.bench/curve-$loans.log
  echo "== $loans loans ($people students, $people devices, $schools schools); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  node bench/run.mjs "${args[@]}" --duration 10 --runs 1 \
    --only "issue: API,issue: raw SQL,loan by id: API,loan by id: bare" >"$log" 2>&1
  grep -E '^(seeded|\| (issue|loan))' "$log"
  node bench/reports.mjs "${args[@]}" --data-dir ".bench/curve-$loans" --reuse --runs 3 >>"$log" 2>&1
  grep -E '^\| [a-z].*city' "$log" | grep -E 'JSON|PDF' || true
done
