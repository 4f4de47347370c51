#!/usr/bin/env bash
# Brobygger benchmark: the four workloads of spec/quality.md ("Speed and scale") under wrk, each
# side by side with pgbench running the MINIMAL SQL a hand-written server would send for it, in
# one run on one machine; the database round trips one request costs, counted from PostgreSQL's
# statement log; resident memory; ready time; the read workloads again on SQLite. Beside the
# bars, pgbench also runs c and d with what the domain adds (the page's audit records, the
# course check): what their gaps are made of. See bench/README.md.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (5), BENCH_CONNECTIONS (32),
# BENCH_WRITE_CONNECTIONS_HIGH (64), BENCH_THREADS (2), BENCH_PORT (18080; SQLite's server uses
# BENCH_PORT+1), BENCH_DATABASE (brobygger_bench), BENCH_PROGRAMMES (10000), BENCH_CITIZENS
# (100000: one support course each), BENCH_LIST_COURSES (60000 of those courses in the bench
# programme, the list's filter), BENCH_DEEP_PAGE (1000), BENCH_AUDIT_EVENTS (100000),
# BENCH_PROBE_REQUESTS (20), BENCH_SQLITE (1; 0 skips the SQLite runs), BENCH_IDEMPOTENCY_KEYS
# (0; 1 sends a unique Idempotency-Key with every POST), BENCH_WORK (a temp dir for logs),
# BENCH_BINARY (a server binary to measure instead of building one),
# CARGO_TARGET_DIR (/work/bench-target), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres).
# Passed to the server when set: BROBYGGER_DB_POOL_SIZE, BROBYGGER_BLOCKING_THREADS,
# MALLOC_ARENA_MAX.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/bench-target}
DURATION=${BENCH_SECONDS:-20}
WARMUP=${BENCH_WARMUP_SECONDS:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
HIGH_CONNECTIONS=${BENCH_WRITE_CONNECTIONS_HIGH:-64}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_PORT:-18080}
SQLITE_PORT=$((PORT + 1))
DB=${BENCH_DATABASE:-brobygger_bench}
N_PROGRAMMES=${BENCH_PROGRAMMES:-10000}
N_CITIZENS=${BENCH_CITIZENS:-100000}
N_LIST=${BENCH_LIST_COURSES:-60000}
DEEP_PAGE=${BENCH_DEEP_PAGE:-1000}
N_AUDIT=${BENCH_AUDIT_EVENTS:-100000}
PROBE_REQUESTS=${BENCH_PROBE_REQUESTS:-20}
WITH_SQLITE=${BENCH_SQLITE:-1}
export BENCH_IDEMPOTENCY_KEYS=${BENCH_IDEMPOTENCY_KEYS:-0}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/brobygger-bench.XXXXXX)}
mkdir -p "$WORK"
PAGE_SIZE=50
((N_LIST >= DEEP_PAGE * PAGE_SIZE + 1)) || {
    echo "BENCH_LIST_COURSES ($N_LIST) must exceed BENCH_DEEP_PAGE x $PAGE_SIZE" >&2
    exit 1
}
((N_CITIZENS >= N_LIST)) || { echo "BENCH_CITIZENS must be >= BENCH_LIST_COURSES" >&2; exit 1; }
ADMIN_PASSWORD="bench-admin-password-$(date +%s)"
USER_PASSWORD="a long bench password"
SERVER_PID=""
BASE=""

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    local status=$?
    stop_server
    if [[ $status -ne 0 ]]; then
        for f in "$WORK"/server-*.log; do
            [[ -f "$f" ]] || continue
            log "last lines of $f:"
            tail -n 10 "$f" >&2 || true
        done
    fi
    log "logs kept in $WORK"
}
trap cleanup EXIT

# The machine's load before this script adds its own (wrk, pgbench's clients, the server).
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- tools ---------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
{ command -v psql >/dev/null && command -v pgbench >/dev/null; } || need+=(postgresql-client)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
if [[ "$WITH_SQLITE" == 1 ]]; then command -v sqlite3 >/dev/null || need+=(sqlite3); fi
if ((${#need[@]})); then
    log "installing ${need[*]}"
    SUDO=""
    [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- build ---------------------------------------------------------------------------------
if [[ -n "${BENCH_BINARY:-}" ]]; then
    BIN=$BENCH_BINARY
    log "using the binary $BIN (BENCH_BINARY: no build)"
else
    log "building the release binary (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO" && cargo build --release -p brobygger-api --quiet)
    BIN="$CARGO_TARGET_DIR/release/brobygger"
fi
[[ -x "$BIN" ]] || die "no binary at $BIN"

# --- database ------------------------------------------------------------------------------
log "creating a fresh database $DB"
psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "CREATE DATABASE $DB"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DB")
SQLITE_FILE="$WORK/bench.sqlite"
rm -f "$SQLITE_FILE" "$SQLITE_FILE"-*

# --- the server ----------------------------------------------------------------------------
# start_server NAME DATABASE_URL PORT [ENV=VALUE ...]: starts the server (log in
# $WORK/server-NAME.log), waits for /health/ready; sets SERVER_PID, BASE and READY_MS.
start_server() {
    local name=$1 url=$2 port=$3
    shift 3
    BASE="http://127.0.0.1:$port"
    if curl -s -o /dev/null "$BASE/health/live"; then
        die "something already listens on 127.0.0.1:$port"
    fi
    (
        export DATABASE_URL="$url"
        export BROBYGGER_BIND="127.0.0.1:$port"
        # Any 32 bytes, base64; the benchmark's data is throwaway.
        export BROBYGGER_ENCRYPTION_KEY="YnJvYnlnZ2VyLWJlbmNoLWtleS0zMi1ieXRlcy1sb24="
        export BROBYGGER_ADMIN_PASSWORD="$ADMIN_PASSWORD"
        export BROBYGGER_JWT_SECRET="brobygger-bench-jwt-secret-at-least-32-characters"
        export RUST_LOG=warn
        for assignment in "$@"; do export "${assignment?}"; done
        exec "$BIN" serve
    ) >>"$WORK/server-$name.log" 2>&1 &
    SERVER_PID=$!
    local started
    started=$(date +%s%N)
    wait_until_ready "$BASE" "$SERVER_PID" "the server ($name)"
    READY_MS=$((($(date +%s%N) - started) / 1000000))
}
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status"; }
threads_of() { awk '/^Threads/ {print $2}' "/proc/$SERVER_PID/status"; }

# --- the API, with curl --------------------------------------------------------------------
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
# The cursor the API gives out for a row id: base64url of the id, no padding.
cursor_of() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }

# seed_api: the rows every workload reads, made through the API of the server at $BASE:
# municipality 630, a coordinator, a programme with peer_guide led by it, a peer-worker user
# and its active, qualified peer worker, a citizen and a support course guided by that peer
# worker, moved to active (contacts are logged only on running courses). Sets ORG,
# COORDINATOR_USER, GUIDE_USER, PROGRAMME, PEER, CITIZEN, COURSE.
seed_api() {
    local admin token
    admin=$(login admin "$ADMIN_PASSWORD")
    ORG=$(api POST /api/v1/organisations "$admin" \
        '{"name": "Vejle Kommune", "kind": "municipality", "municipality_code": "630"}' 201 | jq -r .id)
    COORDINATOR_USER=$(api POST /api/v1/users "$admin" "$(jq -nc --arg o "$ORG" --arg p "$USER_PASSWORD" \
        '{username: "bench-coordinator", display_name: "Bench Coordinator", role: "coordinator",
          organisation_id: $o, password: $p}')" 201 | jq -r .id)
    GUIDE_USER=$(api POST /api/v1/users "$admin" "$(jq -nc --arg o "$ORG" --arg p "$USER_PASSWORD" \
        '{username: "bench-guide", display_name: "Anna Nielsen", role: "peer_worker",
          organisation_id: $o, password: $p}')" 201 | jq -r .id)
    token=$(login bench-coordinator "$USER_PASSWORD")
    PROGRAMME=$(api POST /api/v1/programmes "$token" \
        '{"name": "Ligestillet Støtte", "start_date": "2026-01-01", "end_date": "2027-06-30",
          "models": ["peer_guide"]}' 201 | jq -r .id)
    PEER=$(api POST /api/v1/peer-workers "$token" "$(jq -nc --arg o "$ORG" --arg p "$PROGRAMME" \
        --arg u "$GUIDE_USER" '{name: "Anna Nielsen", organisation_id: $o, engagement: "volunteer",
          programme_ids: [$p], municipality_codes: ["630"], languages: ["da"], capacity: 2,
          user_id: $u}')" 201 | jq -r .id)
    for to in in_training active; do
        api POST "/api/v1/peer-workers/$PEER/transitions" "$token" "{\"to\": \"$to\"}" 200 >/dev/null
    done
    api POST "/api/v1/peer-workers/$PEER/qualifications" "$token" \
        '{"kind": "peer_guide", "evidence": "Peer education, Recovery College Vejle", "earned_on": "2026-01-15"}' \
        201 >/dev/null
    CITIZEN=$(api POST /api/v1/citizens "$token" \
        '{"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630", "preferred_language": "da"}' \
        201 | jq -r .id)
    COURSE=$(api POST /api/v1/support-courses "$token" "$(jq -nc --arg c "$CITIZEN" --arg p "$PROGRAMME" \
        --arg w "$PEER" '{citizen_id: $c, model: "peer_guide", programme_id: $p, peer_worker_id: $w,
          context: "Discharged from Psykiatrisk Afdeling Vejle on 2026-11-15"}')" 201 | jq -r .id)
    for to in matched active; do
        api POST "/api/v1/support-courses/$COURSE/transitions" "$token" "{\"to\": \"$to\"}" 200 >/dev/null
    done
}

# The contact every POST sends: valid (yesterday, so never in the future by the server's clock).
CONTACT_BODY=$(jq -nc --arg d "$(date -u -d yesterday +%F)" \
    '{date: $d, minutes: 60, mode: "in_person", summary: "Coffee and a walk"}')

# --- PostgreSQL: first start, seeding ------------------------------------------------------
PG_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
log "starting the server on PostgreSQL (fresh database: migrations) on 127.0.0.1:$PORT"
start_server postgres "$PG_URL" "$PORT"
READY_FRESH_MS=$READY_MS
log "ready after $READY_FRESH_MS ms; seeding through the API"
seed_api
log "programme $PROGRAMME, support course $COURSE"
stop_server

# --- bulk rows, so the tables are not tiny -------------------------------------------------
# Course n of the N_CITIZENS (one citizen each) is in the bench programme for n <= N_LIST: the
# list's filter (programme_id) matches N_LIST + 1 courses, all visible to the coordinator.
log "PostgreSQL: bulk-inserting $N_PROGRAMMES programmes (with partners, models, history), $N_CITIZENS citizens with a course each ($N_LIST in the bench programme), $N_AUDIT audit events"
"${PSQL[@]}" -v n_programmes="$N_PROGRAMMES" -v n_citizens="$N_CITIZENS" -v n_audit="$N_AUDIT" \
    -v n_list="$N_LIST" -v org="$ORG" -v bench_user="$COORDINATOR_USER" \
    -v bench_programme="$PROGRAMME" <<'SQL'
BEGIN;
-- 97 more municipalities: the 98 of the data set.
CREATE TEMP TABLE bench_orgs AS
    SELECT gen_random_uuid()::text AS id, g AS n FROM generate_series(1, 97) g;
INSERT INTO organisations (id, name, kind, municipality_code, version, created_at, updated_at)
    SELECT id, 'Kommune ' || n, 'municipality', (100 + n)::text, 1, localtimestamp, localtimestamp
    FROM bench_orgs;
-- Programmes led by those municipalities (not visible to the bench coordinator).
CREATE TEMP TABLE bench_programmes AS
    SELECT gen_random_uuid()::text AS id, g AS n, o.id AS lead
    FROM generate_series(1, :n_programmes) g JOIN bench_orgs o ON o.n = 1 + g % 97;
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
-- Citizens (no CPR) with one support course each: the first n_list in the bench programme
-- (the coordinator's organisation leads it), the others in the bulk programmes.
CREATE TEMP TABLE bench_citizens AS
    SELECT gen_random_uuid()::text AS id, g AS n, gen_random_uuid()::text AS course,
        CASE WHEN g <= :n_list THEN :'bench_programme' ELSE p.id END AS programme,
        CASE WHEN g <= :n_list THEN :'org' ELSE o.id END AS org
    FROM generate_series(1, :n_citizens) g
    JOIN bench_programmes p ON p.n = 1 + g % :n_programmes
    JOIN bench_orgs o ON o.n = 1 + g % 97;
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

# The deep page: the cursor the API would give out at the end of page DEEP_PAGE - 1, i.e. the
# id of the filter's row number (DEEP_PAGE - 1) x 50 in id order.
DEEP_OFFSET=$(((DEEP_PAGE - 1) * PAGE_SIZE))
PG_CURSOR_ID=$("${PSQL[@]}" -At -v p="$PROGRAMME" -v k="$((DEEP_OFFSET - 1))" \
    <<<"SELECT id FROM support_courses WHERE programme_id = :'p' ORDER BY id OFFSET :k LIMIT 1")
[[ -n "$PG_CURSOR_ID" ]] || die "no row for the deep cursor"

# The pgbench parameters must find what the endpoints find, or pgbench measures empty lookups.
check=$("${PSQL[@]}" -At -v programme_id="$PROGRAMME" -v course_id="$COURSE" \
    -v cursor_id="$PG_CURSOR_ID" <<'SQL'
SELECT (SELECT count(*) FROM programmes WHERE id = :'programme_id')
    || ' ' || (SELECT count(*) FROM support_courses WHERE id = :'course_id' AND status = 'active')
    || ' ' || (SELECT count(*) FROM (SELECT id FROM support_courses
        WHERE programme_id = :'programme_id' AND id > :'cursor_id' ORDER BY id LIMIT 51) page);
SQL
)
[[ "$check" == "1 1 51" ]] || die "the pgbench parameters do not find the seeded rows: $check"
PGB_VARS=(-D "programme_id=$PROGRAMME" -D "course_id=$COURSE" -D "citizen_id=$CITIZEN"
    -D "user_id=$COORDINATOR_USER" -D "guide_user_id=$GUIDE_USER" -D "peer_id=$PEER"
    -D "org_id=$ORG" -D "cursor_id=$PG_CURSOR_ID")

PROGRAMME_PATH="/api/v1/programmes/$PROGRAMME"
COURSE_PATH="/api/v1/support-courses/$COURSE"
LIST_PATH="/api/v1/support-courses?limit=$PAGE_SIZE&programme_id=$PROGRAMME"
DEEP_PATH="$LIST_PATH&cursor=$(cursor_of "$PG_CURSOR_ID")"
CONTACT_PATH="/api/v1/support-courses/$COURSE/contacts"

# --- round trips per request, from PostgreSQL's statement log ------------------------------
# A server of its own for this, whose sessions log every statement (PGOPTIONS, read by libpq)
# under an application name of their own; PROBE_REQUESTS requests of each kind one after the
# other with curl; then the statements logged by that server's backends (found by the
# application name in pg_stat_activity, matched by the [pid] of the log lines) between the
# batch's start and end offsets in the log, divided by PROBE_REQUESTS. Every statement
# counts: BEGIN, COMMIT, the pool's SELECT 1 and each execute of a prepared statement.
PROBE_APP="brobygger-bench-probe-$$"
PG_LOG=$(pg_log_file "$DB" || true)
declare -A TRIPS=()
probe() { # probe NAME PATH TOKEN [BODY]
    local name=$1 path=$2 token=$3 body=${4:-} before after n i method=GET expected=200
    [[ -n "$body" ]] && { method=POST; expected=201; }
    api "$method" "$path" "$token" "$body" "$expected" >/dev/null # the statements get prepared
    sleep 0.3
    before=$(stat -c %s "$PG_LOG")
    for ((i = 0; i < PROBE_REQUESTS; i++)); do
        api "$method" "$path" "$token" "$body" "$expected" >/dev/null
    done
    sleep 0.5 # the log is written by the backends as they go; let the last lines land
    after=$(stat -c %s "$PG_LOG")
    n=$(statements_logged "$DB" "$PROBE_APP" "$PG_LOG" "$before" "$after")
    [[ "$n" != "?" ]] || { TRIPS[$name]="?"; return; }
    TRIPS[$name]=$(awk -v n="$n" -v r="$PROBE_REQUESTS" 'BEGIN {printf "%.1f", n / r}')
}
if [[ -n "$PG_LOG" ]]; then
    log "counting round trips: $PROBE_REQUESTS requests of each kind, every statement logged ($PG_LOG)"
    start_server probe "$PG_URL" "$PORT" "PGOPTIONS=-c log_statement=all" "PGAPPNAME=$PROBE_APP"
    TOKEN=$(login bench-coordinator "$USER_PASSWORD")
    GUIDE_TOKEN=$(login bench-guide "$USER_PASSWORD")
    probe programme "$PROGRAMME_PATH" "$TOKEN"
    probe course "$COURSE_PATH" "$TOKEN"
    probe page1 "$LIST_PATH" "$TOKEN"
    probe deep "$DEEP_PATH" "$TOKEN"
    probe contact "$CONTACT_PATH" "$GUIDE_TOKEN" "$CONTACT_BODY"
    stop_server
else
    log "PostgreSQL's log is not readable here: round trips not counted"
fi
# The pgbench side's round trips: one per statement of its script.
pgb_trips() { grep -v '^[[:space:]]*--' "$BENCH_DIR/$1" | grep -cE ';[[:space:]]*$'; }

# --- PostgreSQL: the measured server, started on the existing database ---------------------
log "starting the server again on the existing database"
SERVER_ENV=()
for knob in BROBYGGER_DB_POOL_SIZE BROBYGGER_BLOCKING_THREADS MALLOC_ARENA_MAX; do
    if [[ -n "${!knob:-}" ]]; then SERVER_ENV+=("$knob=${!knob}"); fi
done
start_server postgres "$PG_URL" "$PORT" "${SERVER_ENV[@]}"
READY_EXISTING_MS=$READY_MS
RSS_START=$(rss)
sleep 5
RSS_REST=$(rss)
log "ready after $READY_EXISTING_MS ms; resident $RSS_START at start, $RSS_REST 5 s later"
TOKEN=$(login bench-coordinator "$USER_PASSWORD")
GUIDE_TOKEN=$(login bench-guide "$USER_PASSWORD")
[[ "$(claim "$TOKEN" sub)" == "$COORDINATOR_USER" ]] || die "token subject is not the coordinator"
# What each page answers: 50 courses, then a next page.
for path in "$LIST_PATH" "$DEEP_PATH"; do
    [[ "$(api GET "$path" "$TOKEN" "" 200 | jq '[(.items | length), (.next_cursor != null)] | @csv')" \
        == '"50,true"' ]] || die "GET $path does not answer a full page with a next one"
done
api GET "$PROGRAMME_PATH" "$TOKEN" "" 200 >/dev/null
api GET "$COURSE_PATH" "$TOKEN" "" 200 >/dev/null

# --- measuring -----------------------------------------------------------------------------
# run_wrk NAME PATH SECONDS TOKEN [BODY [CONNECTIONS]]: wrk's full output goes to $WORK/NAME.wrk.
run_wrk() {
    BENCH_TOKEN=$4 BENCH_BODY=${5:-} BENCH_RUN_ID="$1-$$-$(date +%s%N)" \
        wrk -t "$THREADS" -c "${6:-$CONNECTIONS}" -d "${3}s" --latency -s "$BENCH_DIR/auth.lua" \
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
server_log_since() { tail -n "+$((log_lines_before + 1))" "$WORK/server-$1.log"; }
mark_log() { log_lines_before=$(wc -l <"$WORK/server-$1.log"); }

log "warming up (${WARMUP} s each)"
run_wrk warmup-programme "$PROGRAMME_PATH" "$WARMUP" "$TOKEN"
run_pgbench warmup-programme programme.sql "$WARMUP"
run_wrk warmup-course "$COURSE_PATH" "$WARMUP" "$TOKEN"
run_pgbench warmup-course support_course_read.sql "$WARMUP"
run_wrk warmup-deep "$DEEP_PATH" "$WARMUP" "$TOKEN"
run_pgbench warmup-deep support_course_page.sql "$WARMUP"
run_pgbench warmup-deep-audited support_course_page_audited.sql "$WARMUP"
run_wrk warmup-contact "$CONTACT_PATH" "$WARMUP" "$GUIDE_TOKEN" "$CONTACT_BODY"
run_pgbench warmup-contact contact_create.sql "$WARMUP"

mark_log postgres
log "a. GET /programmes/{id}: wrk, then pgbench, ${DURATION} s each"
settle; run_wrk programme "$PROGRAMME_PATH" "$DURATION" "$TOKEN"
settle; run_pgbench programme programme.sql "$DURATION"
log "b. GET /support-courses/{id}: wrk, then pgbench"
settle; run_wrk course "$COURSE_PATH" "$DURATION" "$TOKEN"
settle; run_pgbench course support_course_read.sql "$DURATION"
log "c. GET /support-courses?...: wrk on page 1, wrk on page $DEEP_PAGE, pgbench"
settle; run_wrk page1 "$LIST_PATH" "$DURATION" "$TOKEN"
settle; run_wrk deep "$DEEP_PATH" "$DURATION" "$TOKEN"
settle; run_pgbench deep support_course_page.sql "$DURATION"
settle; run_pgbench deep-audited support_course_page_audited.sql "$DURATION"
log "d. POST /support-courses/{id}/contacts: wrk, pgbench, then wrk at $HIGH_CONNECTIONS connections"
settle; run_wrk contact "$CONTACT_PATH" "$DURATION" "$GUIDE_TOKEN" "$CONTACT_BODY"
settle; run_pgbench contact contact_create.sql "$DURATION"
settle; run_pgbench contact-checked contact_create_checked.sql "$DURATION"
settle; run_wrk contact64 "$CONTACT_PATH" "$DURATION" "$GUIDE_TOKEN" "$CONTACT_BODY" "$HIGH_CONNECTIONS"
RSS_AFTER=$(rss)
THREADS_AFTER=$(threads_of)
server_log_since postgres >"$WORK/server-during-runs.log"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
sleep 5
RSS_AFTER_REST=$(rss)
log "resident $RSS_AFTER after the runs ($THREADS_AFTER threads), $RSS_AFTER_REST 5 s later"
AFTER_CHECK=()
for path in "$PROGRAMME_PATH" "$COURSE_PATH" "$DEEP_PATH"; do
    AFTER_CHECK+=("$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")")
done
stop_server

# --- SQLite: the read workloads, the same data ---------------------------------------------
uuid_sql="lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)),
    substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1),
    substr(hex(randomblob(2)), 2), hex(randomblob(6))))"
if [[ "$WITH_SQLITE" == 1 ]]; then
    log "SQLite: first start (migrations), seeding through the API"
    start_server sqlite "sqlite://$SQLITE_FILE" "$SQLITE_PORT"
    seed_api
    stop_server
    log "SQLite: bulk-inserting the same rows (sqlite3)"
    sqlite3 -bail "$SQLITE_FILE" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
BEGIN;
CREATE TEMP TABLE seq AS WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s
    WHERE n < max($N_CITIZENS, $N_AUDIT, $N_PROGRAMMES)) SELECT n FROM s;
CREATE TEMP TABLE bench_orgs AS SELECT $uuid_sql AS id, n FROM seq WHERE n <= 97;
CREATE UNIQUE INDEX temp.bench_orgs_n ON bench_orgs (n);
INSERT INTO organisations (id, name, kind, municipality_code, version, created_at, updated_at)
    SELECT id, 'Kommune ' || n, 'municipality', CAST(100 + n AS TEXT), 1,
        strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_orgs;
CREATE TEMP TABLE bench_programmes AS
    SELECT $uuid_sql AS id, s.n AS n, o.id AS lead
    FROM seq s JOIN bench_orgs o ON o.n = 1 + s.n % 97 WHERE s.n <= $N_PROGRAMMES;
CREATE UNIQUE INDEX temp.bench_programmes_n ON bench_programmes (n);
INSERT INTO programmes (id, name, description, funding_source, grant_dkk, start_date, end_date,
        lead_organisation_id, supervision_interval_days, phase, version, created_at, updated_at)
    SELECT id, 'Programme ' || n, 'Bulk programme for the benchmark', 'Satspulje', 1000000 + n,
        date('2020-01-01', '+' || (n % 1000) || ' days'), '2028-01-01', lead, 30, 'development',
        1, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_programmes;
INSERT INTO programme_partners (id, programme_id, organisation_id, role, version, created_at, updated_at)
    SELECT $uuid_sql, id, lead, 'lead', 1, strftime('%Y-%m-%d %H:%M:%f', 'now'),
        strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_programmes;
INSERT INTO programme_partners (id, programme_id, organisation_id, role, version, created_at, updated_at)
    SELECT $uuid_sql, p.id, o.id, 'partner', 1, strftime('%Y-%m-%d %H:%M:%f', 'now'),
        strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_programmes p JOIN bench_orgs o ON o.n = 1 + (p.n + 40) % 97;
INSERT INTO programme_models (programme_id, model)
    SELECT id, 'peer_guide' FROM bench_programmes
    UNION ALL SELECT id, 'individual_peer_support' FROM bench_programmes;
INSERT INTO status_history (id, resource_type, resource_id, status, at, by_user_id, reason)
    SELECT $uuid_sql, 'programme', id, 'development', strftime('%Y-%m-%d %H:%M:%f', 'now'),
        '$COORDINATOR_USER', NULL
    FROM bench_programmes;
CREATE TEMP TABLE bench_citizens AS
    SELECT $uuid_sql AS id, s.n AS n, $uuid_sql AS course,
        CASE WHEN s.n <= $N_LIST THEN '$PROGRAMME' ELSE p.id END AS programme,
        CASE WHEN s.n <= $N_LIST THEN '$ORG' ELSE o.id END AS org
    FROM seq s JOIN bench_programmes p ON p.n = 1 + s.n % $N_PROGRAMMES
    JOIN bench_orgs o ON o.n = 1 + s.n % 97
    WHERE s.n <= $N_CITIZENS;
CREATE UNIQUE INDEX temp.bench_citizens_n ON bench_citizens (n);
INSERT INTO citizens (id, name, municipality_code, organisation_id, version, created_at, updated_at)
    SELECT id, 'Borger ' || n, '630', org, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'),
        strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_citizens;
INSERT INTO support_courses (id, citizen_id, model, programme_id, context, status, version,
        created_at, updated_at)
    SELECT course, id, 'peer_guide', programme, 'Bulk course', 'requested', 1,
        strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM bench_citizens;
INSERT INTO status_history (id, resource_type, resource_id, status, at, by_user_id, reason)
    SELECT $uuid_sql, 'support_course', course, 'requested', strftime('%Y-%m-%d %H:%M:%f', 'now'),
        '$COORDINATOR_USER', NULL
    FROM bench_citizens;
INSERT INTO audit_events (id, at, user_id, role, organisation_id, action, resource_type,
        resource_id, citizen_id, request_id)
    SELECT $uuid_sql, strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || s.n || ' seconds'),
        '$COORDINATOR_USER', 'coordinator', '$ORG', 'read', 'support_course', c.course, c.id,
        $uuid_sql
    FROM seq s JOIN bench_citizens c ON c.n = 1 + s.n % $N_CITIZENS WHERE s.n <= $N_AUDIT;
COMMIT;
ANALYZE;
SQL
    SQLITE_CURSOR_ID=$(sqlite3 "$SQLITE_FILE" "SELECT id FROM support_courses
        WHERE programme_id = '$PROGRAMME' ORDER BY id LIMIT 1 OFFSET $((DEEP_OFFSET - 1))")
    [[ -n "$SQLITE_CURSOR_ID" ]] || die "SQLite: no row for the deep cursor"
    S_PROGRAMME_PATH="/api/v1/programmes/$PROGRAMME"
    S_COURSE_PATH="/api/v1/support-courses/$COURSE"
    S_LIST_PATH="/api/v1/support-courses?limit=$PAGE_SIZE&programme_id=$PROGRAMME"
    S_DEEP_PATH="$S_LIST_PATH&cursor=$(cursor_of "$SQLITE_CURSOR_ID")"
    log "SQLite: the server on the existing file"
    start_server sqlite "sqlite://$SQLITE_FILE" "$SQLITE_PORT" "${SERVER_ENV[@]}"
    SQLITE_READY_MS=$READY_MS
    S_TOKEN=$(login bench-coordinator "$USER_PASSWORD")
    [[ "$(api GET "$S_DEEP_PATH" "$S_TOKEN" "" 200 | jq '.items | length')" == 50 ]] \
        || die "SQLite: the deep page is not full"
    run_wrk warmup-sqlite-programme "$S_PROGRAMME_PATH" "$WARMUP" "$S_TOKEN"
    run_wrk warmup-sqlite-deep "$S_DEEP_PATH" "$WARMUP" "$S_TOKEN"
    mark_log sqlite
    log "SQLite: a, b, c (page 1 and page $DEEP_PAGE), wrk ${DURATION} s each"
    run_wrk sqlite-programme "$S_PROGRAMME_PATH" "$DURATION" "$S_TOKEN"
    run_wrk sqlite-course "$S_COURSE_PATH" "$DURATION" "$S_TOKEN"
    run_wrk sqlite-page1 "$S_LIST_PATH" "$DURATION" "$S_TOKEN"
    run_wrk sqlite-deep "$S_DEEP_PATH" "$DURATION" "$S_TOKEN"
    SQLITE_RSS_AFTER=$(rss)
    server_log_since sqlite >"$WORK/server-sqlite-during-runs.log"
    stop_server
fi

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
percent() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", 100 * a / b}'; }
yes_no() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }

echo
echo "Brobygger benchmark $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname): $(nproc) cores, $(uname -r); commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "$("$BIN" --version), $(psql -X -At -d "$DB" -c 'SHOW server_version') PostgreSQL; wrk and pgbench: $CONNECTIONS connections, $THREADS threads, $DURATION s each, back to back"
echo "data: 98 municipalities, $N_PROGRAMMES+1 programmes, $N_CITIZENS+1 citizens with a support course each ($((N_LIST + 1)) in the listed programme), $N_AUDIT+ audit events; server: pool ${BROBYGGER_DB_POOL_SIZE:-default}, blocking threads ${BROBYGGER_BLOCKING_THREADS:-default}${MALLOC_ARENA_MAX:+, MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX}"
echo
# ratio_row LABEL WRK PGBENCH SCRIPT BAR_PERCENT TRIPS
printf '%-44s %9s %9s %6s %6s %4s %8s %8s\n' "workload (PostgreSQL)" "API r/s" "pgb tps" "ratio" "bar" "met" "API rt" "pgb rt"
ratio_row() {
    local label=$1 w=$2 p=$3 script=$4 bar=$5 trips=$6 ratio
    ratio=$(percent "$(wrk_rps "$w")" "$(pgb_tps "$p")")
    printf '%-44s %9.0f %9.0f %5s%% %5s%% %4s %8s %8s\n' "$label" "$(wrk_rps "$w")" "$(pgb_tps "$p")" \
        "$ratio" "$bar" "$(yes_no "$ratio >= $bar")" "$trips" "$(pgb_trips "$script")"
}
ratio_row "a. GET /programmes/{id}" programme programme programme.sql 50 "${TRIPS[programme]:-?}"
ratio_row "b. GET /support-courses/{id} (audited)" course course support_course_read.sql 100 "${TRIPS[course]:-?}"
ratio_row "c. GET /support-courses?... page $DEEP_PAGE" deep deep support_course_page.sql 50 "${TRIPS[deep]:-?}"
ratio_row "d. POST /support-courses/{id}/contacts" contact contact contact_create.sql 70 "${TRIPS[contact]:-?}"
echo "(round trips per request, 'API rt': statements PostgreSQL logged for $PROBE_REQUESTS requests of each kind, /$PROBE_REQUESTS, BEGIN/COMMIT and SELECT 1 included; page 1 of the list: ${TRIPS[page1]:-?}. 'pgb rt': statements of the pgbench script, bench/*.sql)"
echo
printf '%-44s %9s %7s %7s %7s %8s %7s %9s %8s %8s %8s\n' "latency (wrk) and errors" "r/s" "p50 ms" "p90 ms" "p99 ms" "max ms" "pgb ms" "requests" "non-2xx" "sockerr" "pgb fail"
lat_row() {
    local label=$1 w=$2 p=${3:-}
    printf '%-44s %9.0f %7s %7s %7s %8s %7s %9s %8s %8s %8s\n' "$label" "$(wrk_rps "$w")" \
        "$(wrk_pct "$w" 50%)" "$(wrk_pct "$w" 90%)" "$(wrk_pct "$w" 99%)" "$(wrk_max "$w")" \
        "${p:+$(pgb_latency "$p")}" "$(wrk_requests "$w")" "$(wrk_non2xx "$w")" \
        "$(wrk_socket_errors "$w")" "${p:+$(pgb_failed "$p")}"
}
lat_row "a. GET /programmes/{id}" programme programme
lat_row "b. GET /support-courses/{id}" course course
lat_row "c. GET /support-courses?... page 1" page1
lat_row "c. GET /support-courses?... page $DEEP_PAGE" deep deep
lat_row "d. POST .../contacts, $CONNECTIONS connections" contact contact
lat_row "d. POST .../contacts, $HIGH_CONNECTIONS connections" contact64
echo "('pgb ms': pgbench's average latency at $CONNECTIONS clients)"
echo
PROGRAMME_P99=$(wrk_pct programme 99%)
PAGE1_P99=$(wrk_pct page1 99%)
DEEP_P99=$(wrk_pct deep 99%)
echo "bar a: ratio >= 50 % and p99 <= 10 ms: $(percent "$(wrk_rps programme)" "$(pgb_tps programme)") %, p99 $PROGRAMME_P99 ms: $(yes_no "$(percent "$(wrk_rps programme)" "$(pgb_tps programme)") >= 50 && $PROGRAMME_P99 <= 10")"
echo "bar b: ratio >= 100 %: $(percent "$(wrk_rps course)" "$(pgb_tps course)") %: $(yes_no "$(percent "$(wrk_rps course)" "$(pgb_tps course)") >= 100")"
echo "bar c: ratio >= 50 %: $(percent "$(wrk_rps deep)" "$(pgb_tps deep)") %: $(yes_no "$(percent "$(wrk_rps deep)" "$(pgb_tps deep)") >= 50"); p99 page 1 vs page $DEEP_PAGE: $PAGE1_P99 ms vs $DEEP_P99 ms, alike (within 25 %): $(yes_no "$DEEP_P99 <= 1.25 * $PAGE1_P99 && $PAGE1_P99 <= 1.25 * $DEEP_P99")"
echo "bar d: ratio >= 70 %: $(percent "$(wrk_rps contact)" "$(pgb_tps contact)") %: $(yes_no "$(percent "$(wrk_rps contact)" "$(pgb_tps contact)") >= 70"); errors at $HIGH_CONNECTIONS connections: $(($(wrk_non2xx contact64) + $(wrk_socket_errors contact64))): $(yes_no "$(wrk_non2xx contact64) + $(wrk_socket_errors contact64) == 0")"
echo
echo "what the gaps of c and d are made of: the same work with what the domain adds, pgbench again"
echo "(minimal SQL for it; explains the gap, not the bar's denominator)"
printf '%-58s %9s %9s %6s\n' "" "pgb tps" "API r/s" "API/pgb"
gap_row() {
    printf '%-58s %9.0f %9.0f %5s%%\n' "$1" "$(pgb_tps "$2")" "$(wrk_rps "$3")" \
        "$(percent "$(wrk_rps "$3")" "$(pgb_tps "$2")")"
}
gap_row "c'. the page + its 50 audit records, one statement" deep-audited deep
gap_row "d'. the course check (a SELECT) + the two inserts" contact-checked contact
echo "ready on an existing database: $READY_EXISTING_MS ms (bar < 1000 ms: $(yes_no "$READY_EXISTING_MS < 1000")); on a fresh one, migrations included: $READY_FRESH_MS ms"
echo "resident memory: $RSS_START at start, $RSS_REST at rest 5 s later, $RSS_AFTER after the runs ($THREADS_AFTER threads), $RSS_AFTER_REST 5 s after (bar < 30 MiB at rest: $(yes_no "${RSS_REST% MiB} < 30"), after load back near it: $(yes_no "${RSS_AFTER_REST% MiB} < 30"))"
if [[ "$WITH_SQLITE" == 1 ]]; then
    echo
    printf '%-44s %9s %9s %7s %4s %7s %7s %8s %8s\n' "reads on SQLite" "SQLite r/s" "PG r/s" "ratio" "met" "p50 ms" "p99 ms" "non-2xx" "sockerr"
    sqlite_row() {
        local label=$1 s=$2 p=$3 ratio
        ratio=$(percent "$(wrk_rps "$s")" "$(wrk_rps "$p")")
        printf '%-44s %9.0f %9.0f %6s%% %4s %7s %7s %8s %8s\n' "$label" "$(wrk_rps "$s")" \
            "$(wrk_rps "$p")" "$ratio" "$(yes_no "$ratio >= 50")" "$(wrk_pct "$s" 50%)" \
            "$(wrk_pct "$s" 99%)" "$(wrk_non2xx "$s")" "$(wrk_socket_errors "$s")"
    }
    sqlite_row "a. GET /programmes/{id}" sqlite-programme programme
    sqlite_row "b. GET /support-courses/{id}" sqlite-course course
    sqlite_row "c. GET /support-courses?... page 1" sqlite-page1 page1
    sqlite_row "c. GET /support-courses?... page $DEEP_PAGE" sqlite-deep deep
    echo "(bar: reads within 2x of PostgreSQL, i.e. SQLite/PostgreSQL >= 50 %; SQLite server ready on the existing file in $SQLITE_READY_MS ms, resident $SQLITE_RSS_AFTER after its runs)"
fi
echo
echo "load average (1/5/15 min) when the script started: $LOAD_BEFORE; after the PostgreSQL runs (includes the benchmark's own load): $LOAD_AFTER"
problems=0
names=(programme course page1 deep contact contact64)
[[ "$WITH_SQLITE" == 1 ]] && names+=(sqlite-programme sqlite-course sqlite-page1 sqlite-deep)
for name in "${names[@]}"; do
    if [[ "$(wrk_non2xx "$name")" != 0 || "$(wrk_socket_errors "$name")" != 0 ]]; then
        problems=1
        echo "!! $name: wrk saw non-2xx responses or socket errors:"
        grep -E 'Non-2xx|Socket errors' "$WORK/$name.wrk"
    fi
done
for name in programme course deep contact; do
    if [[ "$(pgb_failed "$name")" != 0 ]]; then
        problems=1
        echo "!! $name: pgbench had failed transactions"
    fi
done
for f in server-during-runs server-sqlite-during-runs; do
    if [[ -s "$WORK/$f.log" ]]; then
        problems=1
        echo "!! the server logged $(wc -l <"$WORK/$f.log") lines during the measured runs ($f, RUST_LOG=warn); the first ones:"
        sort "$WORK/$f.log" | sed -E 's/request [0-9a-f-]+/request .../' | uniq -c | sort -rn | head -n 10
    fi
done
echo "after the runs (PostgreSQL): GET programme, course, deep page -> ${AFTER_CHECK[*]}"
[[ "${AFTER_CHECK[*]}" == "200 200 200" ]] || { problems=1; echo "!! the API did not answer 200 after the runs"; }
echo "full wrk/pgbench outputs and the server logs: $WORK"
((problems == 0)) || echo "!! see above: not every request succeeded"
