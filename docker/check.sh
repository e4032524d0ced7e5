#!/usr/bin/env bash
# Static checks of docker/ that need no Docker engine. Exits non-zero if any check fails.
#
#   bash docker/check.sh
#
# 1. compose.yaml is valid, with the required variables set to placeholders
#    (`docker compose config`, or the older Debian `docker-compose` v1 as a fallback).
# 2. compose stops with the variable's own message when a required variable is missing.
# 3. every file or folder the Dockerfile COPYs from the build context exists and is not
#    excluded by .dockerignore (Docker's matching rules: last matching line wins, a line
#    matches a path or any of its parent folders, `*` stays within one path segment).
# 4. the CMD's entry point matches the build: `npm run build` writes to dist/, and
#    src/main.ts (-> dist/src/main.js) exists.
# 6. compose.yaml is the scale-out topology (lb, api x N, pgbouncer, primary, replica) and
#    what it mounts or builds exists (docker/check-topology.cjs, with js-yaml from node_modules).
# 5. hadolint, only if it is on PATH (Debian has no package for it).
#
# Needs bash, node, and a compose implementation: the Docker CLI's compose plugin, or
# `apt-get install docker-compose` on Debian (v1.29; it is enough for `config`). With CI=true,
# as root, the script installs the latter itself when neither is present.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2
failures=0
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }

# --- 1 and 2: compose ---------------------------------------------------------------------
compose_file=docker/compose.yaml
placeholders=(
  JWT_SECRET=check-placeholder-check-placeholder-0123456789
  ADMIN_EMAIL=admin@example.org
  ADMIN_PASSWORD=check-placeholder
  POSTGRES_PASSWORD=check-placeholder
  REPLICATION_PASSWORD=check-placeholder
)
tmp_compose=""
cleanup() { [ -n "$tmp_compose" ] && rm -f "$tmp_compose"; }
trap cleanup EXIT

# In CI (CI=true, as root, on Debian) a missing compose is installed from Debian's packages,
# since a fresh CI machine has only the Docker client. Elsewhere nothing is installed.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1 \
  && [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  printf 'info  installing docker-compose from Debian packages for the compose check\n'
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } >/dev/null 2>&1 \
    || printf 'info  apt-get install docker-compose failed\n'
fi

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose -f "$compose_file")
  compose_name="docker compose ($(docker compose version --short 2>/dev/null))"
elif command -v docker-compose >/dev/null 2>&1; then
  # v1 predates the top-level `name:` key (Compose v2 reads it); validate the rest of the file,
  # with relative paths still resolved from docker/.
  tmp_compose="$(mktemp)"
  sed '/^name:/d' "$compose_file" >"$tmp_compose"
  compose=(docker-compose -f "$tmp_compose" --project-directory docker)
  compose_name="docker-compose $(docker-compose version --short 2>/dev/null) (v1; top-level name: not checked)"
else
  compose=()
fi

if [ ${#compose[@]} -eq 0 ]; then
  fail "compose: neither 'docker compose' nor 'docker-compose' is installed (Debian: apt-get install docker-compose)"
else
  # Run with only the placeholders (and PATH/HOME), not with whatever the caller has exported.
  if out="$(env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${placeholders[@]}" "${compose[@]}" config -q 2>&1)"; then
    pass "compose: $compose_file is valid [$compose_name]"
  else
    fail "compose: $compose_file is invalid [$compose_name]: $out"
  fi
  for var in JWT_SECRET ADMIN_EMAIL ADMIN_PASSWORD POSTGRES_PASSWORD REPLICATION_PASSWORD; do
    others=()
    for p in "${placeholders[@]}"; do [ "${p%%=*}" = "$var" ] || others+=("$p"); done
    if out="$(env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${others[@]}" "${compose[@]}" config -q 2>&1)"; then
      fail "compose: accepted a missing $var"
    elif grep -q "set $var" <<<"$out"; then
      pass "compose: a missing $var stops compose with its message"
    else
      fail "compose: a missing $var failed without its message: $out"
    fi
  done
fi

# --- 3 and 4: Dockerfile COPY sources vs. the tree and .dockerignore ------------------------
if ! command -v node >/dev/null 2>&1; then
  fail "dockerfile: node is needed for the COPY/.dockerignore check"
else
  node --input-type=commonjs - <<'EOF'
const fs = require('node:fs');
const path = require('node:path');

const dockerfile = fs.readFileSync('docker/Dockerfile', 'utf8');
// Join continuation lines, drop comments.
const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

// Every COPY/ADD from the build context (not --from=<stage>): its source paths.
const sources = [];
for (const line of lines) {
  const m = /^(COPY|ADD)\s+(.*)$/i.exec(line);
  if (!m) continue;
  let args = m[2].trim();
  if (/(^|\s)--from=/.test(args)) continue;
  args = args.replace(/--[a-z-]+=\S+\s*/gi, '').trim();
  const parts = args.startsWith('[') ? JSON.parse(args) : args.split(/\s+/);
  sources.push(...parts.slice(0, -1));
}

// .dockerignore, with Docker's rules (moby/patternmatcher).
const rules = (fs.existsSync('.dockerignore') ? fs.readFileSync('.dockerignore', 'utf8') : '')
  .split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const negate = l.startsWith('!');
    let p = path.posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
    const re = p.split('/').map((seg) => seg === '**' ? '.*' : seg
      .replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('/');
    return { negate, re: new RegExp(`^${re.replace(/\.\*\//g, '(?:.*/)?')}$`) };
  });
const matchesOrParent = (re, file) => {
  const segs = file.split('/');
  for (let i = segs.length; i > 0; i--) if (re.test(segs.slice(0, i).join('/'))) return true;
  return false;
};
const excluded = (file) => {
  let out = false;
  for (const r of rules) if (matchesOrParent(r.re, file)) out = !r.negate;
  return out;
};
const walk = (p) => fs.statSync(p).isDirectory() ? fs.readdirSync(p).flatMap((e) => walk(path.posix.join(p, e))) : [p];

let bad = 0;
const report = (ok, msg) => { console.log(`${ok ? 'ok  ' : 'FAIL'}  ${msg}`); if (!ok) bad++; };
report(sources.length > 0, `dockerfile: found ${sources.length} COPY sources from the build context`);
for (const src of sources) {
  const rel = path.posix.normalize(src).replace(/^\.\/|\/$/g, '');
  if (/[*?[]/.test(rel)) { report(false, `dockerfile: COPY ${src}: wildcards are not checked by this script`); continue; }
  if (!fs.existsSync(rel)) { report(false, `dockerfile: COPY ${src}: does not exist`); continue; }
  const files = walk(rel);
  const dropped = files.filter(excluded);
  report(dropped.length === 0, dropped.length
    ? `dockerfile: COPY ${src}: .dockerignore excludes ${dropped.length} of ${files.length} files (${dropped.slice(0, 3).join(', ')}...)`
    : `dockerfile: COPY ${src}: exists, ${files.length} file(s) in the context`);
}
for (const secret of ['.data', '.env', 'docker/.env', 'node_modules', 'dist', '.git', 'test']) {
  report(excluded(secret), `dockerignore: ${secret} stays out of the build context`);
}

// The CMD runs dist/src/main.js: the build must still write dist/ from src/.
const cmd = lines.filter((l) => /^CMD\s/i.test(l)).pop() ?? '';
const entry = (/"(dist\/[^"]+\.js)"/.exec(cmd) ?? [])[1];
const build = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts?.build ?? '';
report(!!entry && /-d\s+dist(\s|$)/.test(build) && fs.existsSync(entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')),
  `dockerfile: CMD entry ${entry} comes from ${entry?.replace(/^dist\//, '').replace(/\.js$/, '.ts')} via \`npm run build\` (-d dist)`);
process.exit(Math.min(bad, 100));
EOF
  failures=$((failures + $?))
fi

# --- 6: the scale-out topology --------------------------------------------------------------
if command -v node >/dev/null 2>&1 && [ -d node_modules/js-yaml ]; then
  node docker/check-topology.cjs
  failures=$((failures + $?))
else
  fail "topology: node and node_modules/js-yaml are needed (npm ci first)"
fi

# --- 5: hadolint, where available ------------------------------------------------------------
if command -v hadolint >/dev/null 2>&1; then
  if out="$(hadolint docker/Dockerfile 2>&1)"; then pass "hadolint: no findings"; else fail "hadolint: $out"; fi
else
  printf 'skip  hadolint: not installed (Debian has no package for it)\n'
fi

if [ "$failures" -gt 0 ]; then
  printf '%d check(s) failed\n' "$failures"
  exit 1
fi
printf 'all docker checks passed\n'
