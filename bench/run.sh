#!/usr/bin/env bash
# Brobygger benchmark: each API endpoint under wrk, side by side with pgbench running the same
# SQL the endpoint runs, in one run on one machine. See bench/README.md.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (32),
# BENCH_THREADS (2), BENCH_PORT (18080), BENCH_DATABASE (brobygger_bench), BENCH_PROGRAMMES
# (10000), BENCH_CITIZENS (10000), BENCH_AUDIT_EVENTS (100000), BENCH_WORK (a temp dir for
# logs), CARGO_TARGET_DIR (/work/bench-target), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
# BROBYGGER_DB_POOL_SIZE is passed to the server when set (default: the server's own, 10).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/bench-target}
DURATION=${BENCH_SECONDS:-20}
WARMUP=${BENCH_WARMUP_SECONDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}
DB=${BENCH_DATABASE:-brobygger_bench}
N_PROGRAMMES=${BENCH_PROGRAMMES:-10000}
N_CITIZENS=${BENCH_CITIZENS:-10000}
N_AUDIT=${BENCH_AUDIT_EVENTS:-100000}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/brobygger-bench.XXXXXX)}
mkdir -p "$WORK"
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD="bench-admin-password-$(date +%s)"
USER_PASSWORD="a long bench password"
SERVER_PID=""

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        log "last server log lines ($WORK/server.log):"
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    log "logs kept in $WORK"
}
trap cleanup EXIT

# The machine's load before this script adds its own (wrk, pgbench's 32 clients, the server).
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- tools ---------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
{ command -v psql >/dev/null && command -v pgbench >/dev/null; } || need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- build ---------------------------------------------------------------------------------
log "building the release binary (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
(cd "$REPO" && cargo build --release -p brobygger-api --quiet)
BIN="$CARGO_TARGET_DIR/release/brobygger"
[[ -x "$BIN" ]] || die "no binary at $BIN"

# --- database ------------------------------------------------------------------------------
log "creating a fresh database $DB"
psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "CREATE DATABASE $DB"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")

# --- server --------------------------------------------------------------------------------
if curl -s -o /dev/null "$BASE/health/live"; then
    die "something already listens on 127.0.0.1:$PORT"
fi
log "starting the server on 127.0.0.1:$PORT"
(
    export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
    export BROBYGGER_BIND="127.0.0.1:$PORT"
    # Any 32 bytes, base64; the benchmark's data is throwaway.
    export BROBYGGER_ENCRYPTION_KEY="YnJvYnlnZ2VyLWJlbmNoLWtleS0zMi1ieXRlcy1sb24="
    export BROBYGGER_ADMIN_PASSWORD="$ADMIN_PASSWORD"
    export BROBYGGER_JWT_SECRET="brobygger-bench-jwt-secret-at-least-32-characters"
    export RUST_LOG=warn
    # e.g. BENCH_SERVER_PGOPTIONS='-c log_statement=all' to see the server's SQL in PostgreSQL's log.
    if [[ -n "${BENCH_SERVER_PGOPTIONS:-}" ]]; then export PGOPTIONS="$BENCH_SERVER_PGOPTIONS"; fi
    exec "$BIN" serve
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
started=$(date +%s%N)
for _ in $(seq 1 300); do
    if curl -fs -o /dev/null "$BASE/health/ready"; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited"
    sleep 0.1
done
curl -fs -o /dev/null "$BASE/health/ready" || die "the server is not ready after 30 s"
READY_MS=$((($(date +%s%N) - started) / 1000000))
log "ready after $READY_MS ms (fresh database: includes migrations)"
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status"; }
RSS_AT_START=$(rss)

# --- seed through the API ------------------------------------------------------------------
# api METHOD PATH TOKEN BODY EXPECTED_STATUS: prints the response body, dies on another status.
api() {
    local method=$1 path=$2 token=$3 body=$4 expected=$5 status
    local args=(-sS -o "$WORK/response.json" -w '%{http_code}' -X "$method"
        -H 'Content-Type: application/json' -H 'Accept: application/json')
    [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
    [[ -n "$body" ]] && args+=(--data "$body")
    status=$(curl "${args[@]}" "$BASE$path")
    if [[ "$status" != "$expected" ]]; then
        die "$method $path: $status (expected $expected): $(cat "$WORK/response.json")"
    fi
    cat "$WORK/response.json"
}
login() {
    api POST /api/v1/auth/token "" \
        "$(jq -nc --arg u "$1" --arg p "$2" '{grant_type: "password", username: $u, password: $p}')" \
        200 | jq -r .access_token
}
# A JWT claim, from the token's payload (base64url, no padding).
claim() {
    local payload
    payload=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
    while ((${#payload} % 4)); do payload+="="; done
    base64 -d <<<"$payload" | jq -r ".$2"
}

log "seeding through the API"
ADMIN=$(login admin "$ADMIN_PASSWORD")
ORG=$(api POST /api/v1/organisations "$ADMIN" \
    '{"name": "Vejle Kommune", "kind": "municipality", "municipality_code": "630"}' 201 | jq -r .id)
COORDINATOR_USER=$(api POST /api/v1/users "$ADMIN" "$(jq -nc --arg o "$ORG" --arg p "$USER_PASSWORD" \
    '{username: "bench-coordinator", display_name: "Bench Coordinator", role: "coordinator",
      organisation_id: $o, password: $p}')" 201 | jq -r .id)
TOKEN=$(login bench-coordinator "$USER_PASSWORD")
PROGRAMME=$(api POST /api/v1/programmes "$TOKEN" \
    '{"name": "Ligestillet Støtte", "start_date": "2026-01-01", "end_date": "2027-06-30",
      "models": ["peer_guide"]}' 201 | jq -r .id)
PEER=$(api POST /api/v1/peer-workers "$TOKEN" "$(jq -nc --arg o "$ORG" --arg p "$PROGRAMME" \
    '{name: "Anna Nielsen", organisation_id: $o, engagement: "volunteer", programme_ids: [$p],
      municipality_codes: ["630"], languages: ["da"], capacity: 2}')" 201 | jq -r .id)
for to in in_training active; do
    api POST "/api/v1/peer-workers/$PEER/transitions" "$TOKEN" "{\"to\": \"$to\"}" 200 >/dev/null
done
api POST "/api/v1/peer-workers/$PEER/qualifications" "$TOKEN" \
    '{"kind": "peer_guide", "evidence": "Peer education, Recovery College Vejle", "earned_on": "2026-01-15"}' \
    201 >/dev/null
CITIZEN=$(api POST /api/v1/citizens "$TOKEN" \
    '{"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630", "preferred_language": "da"}' \
    201 | jq -r .id)
COURSE=$(api POST /api/v1/support-courses "$TOKEN" "$(jq -nc --arg c "$CITIZEN" --arg p "$PROGRAMME" \
    --arg w "$PEER" '{citizen_id: $c, model: "peer_guide", programme_id: $p, peer_worker_id: $w,
      context: "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15"}')" 201 | jq -r .id)
log "programme $PROGRAMME, support course $COURSE"

# --- bulk rows, so the tables are not tiny -------------------------------------------------
log "bulk-inserting $N_PROGRAMMES programmes (with partners, models, history), $N_CITIZENS citizens and courses, $N_AUDIT audit events"
"${PSQL[@]}" -v n_programmes="$N_PROGRAMMES" -v n_citizens="$N_CITIZENS" -v n_audit="$N_AUDIT" \
    -v org="$ORG" -v bench_user="$COORDINATOR_USER" <<'SQL'
BEGIN;
-- 97 more municipalities: the 98 of the data set.
CREATE TEMP TABLE bench_orgs AS
    SELECT gen_random_uuid()::text AS id, g AS n FROM generate_series(1, 97) g;
INSERT INTO organisations (id, name, kind, municipality_code, version, created_at, updated_at)
    SELECT id, 'Kommune ' || n, 'municipality', (100 + n)::text, 1, localtimestamp, localtimestamp
    FROM bench_orgs;
-- Programmes led by those municipalities (not visible to the bench coordinator).
CREATE TEMP TABLE bench_programmes AS
    SELECT gen_random_uuid()::text AS id, g AS n,
        (SELECT id FROM bench_orgs WHERE n = 1 + g % 97) AS lead
    FROM generate_series(1, :n_programmes) g;
INSERT INTO programmes (id, name, description, funding_source, grant_dkk, start_date, end_date,
        lead_organisation_id, supervision_interval_days, phase, version, created_at, updated_at)
    SELECT id, 'Programme ' || n, 'Bulk programme for the benchmark', 'Satspulje', 1000000 + n,
        date '2020-01-01' + (n % 1000), date '2028-01-01', lead, 30, 'development', 1,
        localtimestamp, localtimestamp
    FROM bench_programmes;
INSERT INTO programme_partners (id, programme_id, organisation_id, role, version, created_at, updated_at)
    SELECT gen_random_uuid()::text, id, lead, 'lead', 1, localtimestamp, localtimestamp
    FROM bench_programmes;
INSERT INTO programme_partners (id, programme_id, organisation_id, role, version, created_at, updated_at)
    SELECT gen_random_uuid()::text, p.id, o.id, 'partner', 1, localtimestamp, localtimestamp
    FROM bench_programmes p JOIN bench_orgs o ON o.n = 1 + (p.n + 40) % 97;
INSERT INTO programme_models (programme_id, model)
    SELECT id, m FROM bench_programmes, unnest(ARRAY['peer_guide', 'individual_peer_support']) m;
INSERT INTO status_history (id, resource_type, resource_id, status, at, by_user_id, reason)
    SELECT gen_random_uuid()::text, 'programme', id, 'development', localtimestamp, :'bench_user', NULL
    FROM bench_programmes;
-- Citizens (no CPR) with one support course each, in those programmes.
CREATE TEMP TABLE bench_citizens AS
    SELECT gen_random_uuid()::text AS id, g AS n, gen_random_uuid()::text AS course,
        (SELECT id FROM bench_programmes WHERE n = 1 + g % :n_programmes) AS programme,
        (SELECT id FROM bench_orgs WHERE n = 1 + g % 97) AS org
    FROM generate_series(1, :n_citizens) g;
INSERT INTO citizens (id, name, municipality_code, organisation_id, version, created_at, updated_at)
    SELECT id, 'Borger ' || n, '630', org, 1, localtimestamp, localtimestamp FROM bench_citizens;
INSERT INTO support_courses (id, citizen_id, model, programme_id, context, status, version,
        created_at, updated_at)
    SELECT course, id, 'peer_guide', programme, 'Bulk course', 'requested', 1, localtimestamp,
        localtimestamp
    FROM bench_citizens;
INSERT INTO status_history (id, resource_type, resource_id, status, at, by_user_id, reason)
    SELECT gen_random_uuid()::text, 'support_course', course, 'requested', localtimestamp, :'bench_user', NULL
    FROM bench_citizens;
-- Audit events spread over the citizens.
INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
        resource_id, citizen_id, request_id)
    SELECT gen_random_uuid()::text, localtimestamp - make_interval(secs => g), :'bench_user',
        'coordinator', :'org', 'read', 'support_course', c.course, c.id, gen_random_uuid()::text
    FROM generate_series(1, :n_audit) g JOIN bench_citizens c ON c.n = 1 + g % :n_citizens;
COMMIT;
VACUUM ANALYZE;
SQL

# --- the pgbench scripts' parameters -------------------------------------------------------
# A fresh token: the run is well within its 15 minutes.
TOKEN=$(login bench-coordinator "$USER_PASSWORD")
export BENCH_TOKEN=$TOKEN
SESSION=$(claim "$TOKEN" sid)
[[ "$(claim "$TOKEN" sub)" == "$COORDINATOR_USER" ]] || die "token subject is not the coordinator"
# The server compares expires_at with its clock; pgbench binds the same instant (UTC, naive).
NOW=$(date -u '+%Y-%m-%d %H:%M:%S')
PGB_VARS=(-D "user_id=$COORDINATOR_USER" -D "session_id=$SESSION" -D "now=$NOW" -D t=t -D one=1
    -D "org_id=$ORG" -D role=coordinator -D action=read
    -D "programme_id=$PROGRAMME" -D "programme_ids={$PROGRAMME}" -D programme_type=programme
    -D "course_id=$COURSE" -D "course_ids={$COURSE}" -D course_type=support_course
    -D "citizen_id=$CITIZEN")

# The statements must find what the endpoint finds, or pgbench measures empty lookups.
check=$("${PSQL[@]}" -At -v user_id="$COORDINATOR_USER" -v session_id="$SESSION" -v now="$NOW" \
    -v org_id="$ORG" -v programme_id="$PROGRAMME" -v course_id="$COURSE" <<'SQL'
SELECT (SELECT count(*) FROM users JOIN auth_sessions ON auth_sessions.user_id = users.id
        WHERE users.id = :'user_id' AND users.active AND auth_sessions.id = :'session_id'
          AND auth_sessions.revoked_at IS NULL AND auth_sessions.expires_at > :'now')
    || ' ' || (SELECT count(*) FROM programme_partners
        WHERE programme_id = :'programme_id' AND organisation_id = :'org_id')
    || ' ' || (SELECT count(*) FROM programme_models WHERE programme_id = :'programme_id')
    || ' ' || (SELECT count(*) FROM status_history WHERE resource_type = 'programme'
        AND resource_id = :'programme_id')
    || ' ' || (SELECT count(*) FROM support_courses WHERE id = :'course_id');
SQL
)
[[ "$check" == "1 1 1 1 1" ]] || die "the pgbench parameters do not find the seeded rows: $check"

# --- measuring -----------------------------------------------------------------------------
# run_wrk NAME PATH SECONDS: wrk's full output goes to $WORK/NAME.wrk.
run_wrk() {
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${3}s" --latency -s "$BENCH_DIR/auth.lua" \
        "$BASE$2" >"$WORK/$1.wrk" 2>&1 || die "wrk failed: $(cat "$WORK/$1.wrk")"
}
# run_pgbench NAME SCRIPT SECONDS: pgbench's full output goes to $WORK/NAME.pgbench.
run_pgbench() {
    pgbench -c "$CONNECTIONS" -j "$THREADS" -T "$3" -M prepared -n "${PGB_VARS[@]}" \
        -f "$BENCH_DIR/$2" "$DB" >"$WORK/$1.pgbench" 2>&1 \
        || die "pgbench failed: $(tail -n 20 "$WORK/$1.pgbench")"
}
settle() { "${PSQL[@]}" -c CHECKPOINT; sleep 1; }

log_lines_before=0
server_log_since() { tail -n "+$((log_lines_before + 1))" "$WORK/server.log"; }
mark_log() { log_lines_before=$(wc -l <"$WORK/server.log"); }

PROGRAMME_PATH="/api/v1/programmes/$PROGRAMME"
COURSE_PATH="/api/v1/support-courses/$COURSE"
api GET "$PROGRAMME_PATH" "$TOKEN" "" 200 >/dev/null
api GET "$COURSE_PATH" "$TOKEN" "" 200 >/dev/null

log "warming up (${WARMUP} s each)"
run_wrk warmup-programme "$PROGRAMME_PATH" "$WARMUP"
run_pgbench warmup-programme programme.sql "$WARMUP"
run_wrk warmup-course "$COURSE_PATH" "$WARMUP"
run_pgbench warmup-course support_course_read.sql "$WARMUP"

mark_log
log "GET /programmes/{id}: wrk ${DURATION} s"
settle; run_wrk programme "$PROGRAMME_PATH" "$DURATION"
log "GET /programmes/{id}: pgbench ${DURATION} s"
settle; run_pgbench programme programme.sql "$DURATION"
log "GET /support-courses/{id}: wrk ${DURATION} s"
settle; run_wrk course "$COURSE_PATH" "$DURATION"
log "GET /support-courses/{id}: pgbench ${DURATION} s"
settle; run_pgbench course support_course_read.sql "$DURATION"
server_log_since >"$WORK/server-during-runs.log"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_AFTER=$(rss)

# --- report --------------------------------------------------------------------------------
# wrk prints durations as 812.00us, 1.23ms, 1.02s; in ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) printf "%.2f", substr(v, 1, length(v) - 2) / 1000;
        else if (v ~ /ms$/) printf "%.2f", substr(v, 1, length(v) - 2);
        else if (v ~ /m$/) printf "%.2f", substr(v, 1, length(v) - 1) * 60000;
        else if (v ~ /s$/) printf "%.2f", substr(v, 1, length(v) - 1) * 1000;
        else print "?" }'
}
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$WORK/$1.wrk"; }
wrk_pct() { to_ms "$(awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.wrk")"; }
wrk_max() { to_ms "$(awk '$1 == "Latency" {print $4; exit}' "$WORK/$1.wrk")"; }
wrk_requests() { awk '/requests in/ {print $1}' "$WORK/$1.wrk"; }
wrk_non2xx() { awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$WORK/$1.wrk" | grep . || echo 0; }
wrk_socket_errors() {
    awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$WORK/$1.wrk" | grep . || echo 0
}
pgb_tps() { awk '/^tps =/ {print $3}' "$WORK/$1.pgbench"; }
pgb_latency() { awk '/^latency average/ {print $4}' "$WORK/$1.pgbench"; }
pgb_failed() { awk -F'[:(]' '/number of failed transactions/ {gsub(/ /, "", $2); print $2}' "$WORK/$1.pgbench" | grep . || echo 0; }

row() {
    local name=$1 label=$2 rps tps
    rps=$(wrk_rps "$name") tps=$(pgb_tps "$name")
    printf '%-26s %9.0f %9.0f %7.0f%% %7s %7s %7s %7s %7s %9s %8s %8s %8s\n' "$label" \
        "$rps" "$tps" "$(awk -v a="$rps" -v b="$tps" 'BEGIN {print 100 * a / b}')" \
        "$(wrk_pct "$name" 50%)" "$(wrk_pct "$name" 90%)" "$(wrk_pct "$name" 99%)" \
        "$(wrk_max "$name")" "$(pgb_latency "$name")" "$(wrk_requests "$name")" \
        "$(wrk_non2xx "$name")" "$(wrk_socket_errors "$name")" "$(pgb_failed "$name")"
}

echo
echo "Brobygger benchmark $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname): $(nproc) cores, $(uname -r)"
echo "$("$BIN" --version), $(psql -X -At -d "$DB" -c 'SHOW server_version') PostgreSQL; wrk and pgbench: $CONNECTIONS connections, $THREADS threads, $DURATION s each, back to back"
echo "data: $N_PROGRAMMES+1 programmes, $N_CITIZENS+1 citizens/support courses, $N_AUDIT+ audit events; server pool: ${BROBYGGER_DB_POOL_SIZE:-default} connections"
echo
printf '%-26s %9s %9s %8s %7s %7s %7s %7s %7s %9s %8s %8s %8s\n' "workload" "API r/s" "pgb tps" \
    "API/pgb" "p50 ms" "p90 ms" "p99 ms" "max ms" "pgb ms" "requests" "non-2xx" "sockerr" "pgb fail"
row programme "GET /programmes/{id}"
row course "GET /support-courses/{id}"
echo
echo "API: wrk, latency percentiles of the API. pgb: pgbench -M prepared, same statements (bench/*.sql); 'pgb ms' is its average latency."
echo "server: ready ${READY_MS} ms after start (fresh database, migrations included); resident memory $RSS_AT_START at start, $RSS_AFTER after the runs"
echo "load average (1/5/15 min) when the script started: $LOAD_BEFORE; after the runs (includes the benchmark's own load): $LOAD_AFTER"
# The bars of spec/quality.md, "Speed and scale".
verdict() {
    local name=$1 label=$2 min_ratio=$3 max_p99=$4 ratio p99 ok=yes
    ratio=$(awk -v a="$(wrk_rps "$name")" -v b="$(pgb_tps "$name")" 'BEGIN {printf "%.0f", 100 * a / b}')
    p99=$(wrk_pct "$name" 99%)
    awk -v r="$ratio" -v m="$min_ratio" 'BEGIN {exit !(r >= m)}' || ok=no
    if [[ -n "$max_p99" ]]; then
        awk -v p="$p99" -v m="$max_p99" 'BEGIN {exit !(p <= m)}' || ok=no
        echo "bar $label: API/pgbench >= $min_ratio % and p99 <= $max_p99 ms; measured $ratio %, p99 $p99 ms: $ok"
    else
        echo "bar $label: API/pgbench >= $min_ratio %; measured $ratio %: $ok"
    fi
}
verdict programme "GET /programmes/{id}" 50 10
verdict course "GET /support-courses/{id}" 100 ""
problems=0
for name in programme course; do
    if [[ "$(wrk_non2xx "$name")" != 0 || "$(wrk_socket_errors "$name")" != 0 ]]; then
        problems=1
        echo "!! $name: wrk saw non-2xx responses or socket errors:"
        grep -E 'Non-2xx|Socket errors' "$WORK/$name.wrk"
    fi
    if [[ "$(pgb_failed "$name")" != 0 ]]; then
        problems=1
        echo "!! $name: pgbench had failed transactions"
    fi
done
if [[ -s "$WORK/server-during-runs.log" ]]; then
    problems=1
    echo "!! the server logged $(wc -l <"$WORK/server-during-runs.log") lines during the measured runs (RUST_LOG=warn); the first ones:"
    sort "$WORK/server-during-runs.log" | sed -E 's/request [0-9a-f-]+/request …/' | uniq -c | sort -rn | head -n 10
fi
# Whether the API still answers, and how.
for path in "$PROGRAMME_PATH" "$COURSE_PATH"; do
    echo "after the runs: GET ${path/$PROGRAMME/{id\}} -> $(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $TOKEN" "$BASE$path")" | sed "s/$COURSE/{id}/"
done
echo "full wrk/pgbench outputs and the server log: $WORK"
((problems == 0)) || echo "!! see above: not every request succeeded"
