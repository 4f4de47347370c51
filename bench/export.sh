#!/usr/bin/env bash
# Export benchmark (spec/quality.md: `GET /api/v1/exports/contacts?format=csv` over 1,000,000
# rows at >= 200,000 rows/s, resident memory growing by < 32 MiB while streaming).
#
#   bash bench/export.sh            # PostgreSQL, then SQLite
#   BENCH_BACKENDS=sqlite bash bench/export.sh
#
# For each backend: a fresh database, the release server, one programme, peer worker, citizen
# and support course made through the API, then BENCH_CONTACTS (1,000,000) contacts of that
# course inserted by SQL (a bench-only generator: generate_series on PostgreSQL, a recursive
# CTE on SQLite). Then the export is streamed with curl to /dev/null, as a coordinator
# (identified) and as an evaluator (pseudonymised: one HMAC a row), while VmRSS of the server
# is sampled every 100 ms; prints rows/s and the RSS before, at the peak and after. The row
# count is the one the export's audit event records. Last, a client that hangs up early: the
# server logs it and keeps serving.
#
# On PostgreSQL the same rows are first sent by `psql \copy (SELECT …) TO '/dev/null' CSV` (no
# server), the reference each export line quotes as a ratio; every line shows the load average,
# since the machine may be shared.
#
# Knobs: BENCH_CONTACTS (1000000), BENCH_PORT (18081), BENCH_DATABASE (brobygger_export_bench),
# CARGO_TARGET_DIR (the repository's target/), BENCH_BIN (a server binary to measure instead of
# building one), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres), BENCH_WORK (a temp dir for logs
# and the SQLite database), BENCH_BACKENDS ("postgres sqlite").
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
REPO=$(dirname "$BENCH_DIR")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
N=${BENCH_CONTACTS:-1000000}
PORT=${BENCH_PORT:-18081}
DB=${BENCH_DATABASE:-brobygger_export_bench}
BACKENDS=${BENCH_BACKENDS:-postgres sqlite}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/brobygger-export-bench.XXXXXX)}
mkdir -p "$WORK"
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD="bench-admin-password-$(date +%s)"
USER_PASSWORD="a long bench password"
SERVER_PID=""
SAMPLER_PID=""
PSQL_RATE=""

log() { printf '[export-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

stop_server() {
    if [[ -n "$SAMPLER_PID" ]] && kill -0 "$SAMPLER_PID" 2>/dev/null; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    SAMPLER_PID=""
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    local status=$?
    stop_server
    if [[ $status -ne 0 && -f "$WORK/server.log" ]]; then
        log "last server log lines ($WORK/server.log):"
        tail -n 20 "$WORK/server.log" >&2 || true
    fi
    log "logs kept in $WORK"
}
trap cleanup EXIT

command -v curl >/dev/null || die "curl is needed"
command -v jq >/dev/null || die "jq is needed"
command -v python3 >/dev/null || die "python3 is needed (it fills the SQLite database)"

if [[ -n "${BENCH_BIN:-}" ]]; then
    BIN=$BENCH_BIN
else
    log "building the release binary (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO" && cargo build --release -p brobygger-api --quiet)
    BIN="$CARGO_TARGET_DIR/release/brobygger"
fi
[[ -x "$BIN" ]] || die "no binary at $BIN"

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
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }

start_server() {
    local url=$1
    if curl -s -o /dev/null "$BASE/health/live"; then
        die "something already listens on 127.0.0.1:$PORT"
    fi
    (
        export DATABASE_URL="$url"
        export BROBYGGER_BIND="127.0.0.1:$PORT"
        export BROBYGGER_ENCRYPTION_KEY="YnJvYnlnZ2VyLWJlbmNoLWtleS0zMi1ieXRlcy1sb24="
        export BROBYGGER_ADMIN_PASSWORD="$ADMIN_PASSWORD"
        export BROBYGGER_JWT_SECRET="brobygger-bench-jwt-secret-at-least-32-characters"
        export RUST_LOG=${RUST_LOG:-warn}
        exec "$BIN" serve
    ) >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_until_ready "$BASE" "$SERVER_PID" "the server"
}

# Seeds one course through the API; sets ADMIN, ORG, COORDINATOR_USER, TOKEN, EVALUATOR_USER,
# EVALUATOR, COURSE, PEER.
seed() {
    local admin programme citizen
    admin=$(login admin "$ADMIN_PASSWORD")
    ADMIN=$admin
    ORG=$(api POST /api/v1/organisations "$admin" \
        '{"name": "Vejle Kommune", "kind": "municipality", "municipality_code": "630"}' 201 | jq -r .id)
    COORDINATOR_USER=$(api POST /api/v1/users "$admin" "$(jq -nc --arg o "$ORG" --arg p "$USER_PASSWORD" \
        '{username: "bench-coordinator", display_name: "Bench Coordinator", role: "coordinator",
          organisation_id: $o, password: $p}')" 201 | jq -r .id)
    EVALUATOR_USER=$(api POST /api/v1/users "$admin" "$(jq -nc --arg o "$ORG" --arg p "$USER_PASSWORD" \
        '{username: "bench-evaluator", display_name: "Bench Evaluator", role: "evaluator",
          organisation_id: $o, password: $p}')" 201 | jq -r .id)
    TOKEN=$(login bench-coordinator "$USER_PASSWORD")
    EVALUATOR=$(login bench-evaluator "$USER_PASSWORD")
    programme=$(api POST /api/v1/programmes "$TOKEN" \
        '{"name": "Ligestillet Støtte", "start_date": "2026-01-01", "end_date": "2027-06-30",
          "models": ["peer_guide"]}' 201 | jq -r .id)
    PEER=$(api POST /api/v1/peer-workers "$TOKEN" "$(jq -nc --arg o "$ORG" --arg p "$programme" \
        '{name: "Anna Nielsen", organisation_id: $o, engagement: "volunteer", programme_ids: [$p],
          municipality_codes: ["630"], languages: ["da"], capacity: 2}')" 201 | jq -r .id)
    for to in in_training active; do
        api POST "/api/v1/peer-workers/$PEER/transitions" "$TOKEN" "{\"to\": \"$to\"}" 200 >/dev/null
    done
    api POST "/api/v1/peer-workers/$PEER/qualifications" "$TOKEN" \
        '{"kind": "peer_guide", "evidence": "Peer education", "earned_on": "2026-01-15"}' 201 >/dev/null
    citizen=$(api POST /api/v1/citizens "$TOKEN" \
        '{"name": "Jonas Holm", "cpr": "070761-4286", "municipality_code": "630"}' 201 | jq -r .id)
    COURSE=$(api POST /api/v1/support-courses "$TOKEN" "$(jq -nc --arg c "$citizen" --arg p "$programme" \
        --arg w "$PEER" '{citizen_id: $c, model: "peer_guide", programme_id: $p, peer_worker_id: $w}')" \
        201 | jq -r .id)
}

# The contacts of the seeded course, by SQL. Ids sort like UUIDv7 after the seeded rows'.
fill_postgres() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -v n="$N" -v course="$COURSE" -v peer="$PEER" \
        -v by="$COORDINATOR_USER" <<'SQL'
INSERT INTO contacts (id, support_course_id, date, minutes, mode, summary, peer_worker_id,
        recorded_by, version, created_at, updated_at)
    SELECT 'ffffffff-0000-7000-8000-' || lpad(g::text, 12, '0'), :'course',
        date '2026-01-01' + (g % 365), 15 + g % 90,
        (ARRAY['in_person', 'phone', 'video', 'accompaniment'])[1 + g % 4],
        'Coffee and a walk by the fjord; talked about the week and next steps #' || g,
        :'peer', :'by', 1, localtimestamp, localtimestamp
    FROM generate_series(1, :n) g;
ANALYZE contacts;
SQL
}

fill_sqlite() {
    python3 - "$1" "$N" "$COURSE" "$PEER" "$COORDINATOR_USER" <<'PY'
import sqlite3, sys
path, n, course, peer, by = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
db = sqlite3.connect(path, timeout=30)
db.execute("PRAGMA busy_timeout = 30000")
db.execute("""
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
INSERT INTO contacts (id, support_course_id, date, minutes, mode, summary, peer_worker_id,
        recorded_by, version, created_at, updated_at)
    SELECT printf('ffffffff-0000-7000-8000-%012d', n), ?, date('2026-01-01', '+' || (n % 365) || ' days'),
        15 + n % 90, CASE n % 4 WHEN 0 THEN 'in_person' WHEN 1 THEN 'phone' WHEN 2 THEN 'video'
        ELSE 'accompaniment' END,
        'Coffee and a walk by the fjord; talked about the week and next steps #' || n,
        ?, ?, 1, strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now')
    FROM g""", (n, course, peer, by))
db.commit()
db.execute("ANALYZE")
db.close()
PY
}

# Streams one export to /dev/null while sampling the server's RSS; prints one result line.
measure() {
    local backend=$1 who=$2 token=$3 user=$4 before peak after out seconds rows
    sleep 1
    before=$(rss_kib)
    echo "$before" >"$WORK/peak"
    (
        peak=$before
        while true; do
            now=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
            if ((now > peak)); then peak=$now; echo "$peak" >"$WORK/peak"; fi
            sleep 0.1
        done
    ) &
    SAMPLER_PID=$!
    out=$(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
        -H "Authorization: Bearer $token" "$BASE/api/v1/exports/contacts?format=csv")
    sleep 0.5
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
    peak=$(cat "$WORK/peak")
    sleep 1
    after=$(rss_kib)
    read -r status seconds bytes <<<"$out"
    [[ "$status" == 200 ]] || die "export: HTTP $status"
    rows=$(api GET "/api/v1/audit-events?user_id=$user&limit=200" "$ADMIN" "" 200 |
        jq -r '[.items[] | select(.action == "export")] | last | .detail' | sed -E 's/.*rows=([0-9]+).*/\1/')
    rate=$(awk -v r="$rows" -v s="$seconds" 'BEGIN {print r / s}')
    ratio=""
    if [[ -n "$PSQL_RATE" && $backend == postgres ]]; then
        ratio=$(awk -v a="$rate" -v b="$PSQL_RATE" 'BEGIN {printf "  %.2f x psql", a / b}')
    fi
    printf '%-8s %-11s rows %8d  %6.2f s  %9.0f rows/s%s  %6.1f MB  RSS before %s, peak %s (+%s), after %s  load %s\n' \
        "$backend" "$who" "$rows" "$seconds" "$rate" "$ratio" \
        "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')" "$(mib "$before")" "$(mib "$peak")" \
        "$(mib $((peak - before)))" "$(mib "$after")" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# A client that hangs up after 100 kB: the server logs it and keeps serving.
hang_up() {
    curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/exports/contacts?format=csv" 2>/dev/null |
        head -c 100000 >/dev/null || true
    sleep 2
    curl -fs -o /dev/null "$BASE/health/ready" || die "the server does not serve after a hang-up"
    if grep -q "the client went away" "$WORK/server.log"; then
        log "hang-up: $(grep "the client went away" "$WORK/server.log" | tail -1 | cut -c1-160)"
    else
        log "hang-up: no log line (the whole export fit in the socket buffers?)"
    fi
}

for backend in $BACKENDS; do
    case $backend in
        postgres)
            psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
                -c "CREATE DATABASE $DB"
            start_server "postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
            seed
            log "postgres: inserting $N contacts"
            fill_postgres
            ;;
        sqlite)
            rm -f "$WORK/export.db"*
            start_server "sqlite://$WORK/export.db"
            seed
            log "sqlite: inserting $N contacts"
            fill_sqlite "$WORK/export.db"
            ;;
        *) die "unknown backend $backend" ;;
    esac
    if [[ $backend == postgres ]]; then
        # The floor: PostgreSQL alone sending the same rows, measured beside the server.
        started=$(date +%s%N)
        psql -X -q -d "$DB" -c "\\copy (SELECT c.id, c.support_course_id, s.citizen_id, s.programme_id, c.date, c.minutes, c.mode, c.summary, c.peer_worker_id, c.created_at, c.updated_at FROM contacts c JOIN support_courses s ON s.id = c.support_course_id ORDER BY c.id) TO '/dev/null' CSV"
        seconds=$(awk -v ns=$(($(date +%s%N) - started)) 'BEGIN {print ns / 1e9}')
        PSQL_RATE=$(awk -v r="$N" -v s="$seconds" 'BEGIN {print r / s}')
        printf '%-8s %-11s rows %8d  %6.2f s  %9.0f rows/s  (psql \\copy of the same join, no server)  load %s\n' \
            postgres psql "$N" "$seconds" "$PSQL_RATE" "$(cut -d' ' -f1-3 /proc/loadavg)"
    fi
    log "load average before the exports: $(cut -d' ' -f1-3 /proc/loadavg)"
    measure "$backend" coordinator "$TOKEN" "$COORDINATOR_USER"
    measure "$backend" evaluator "$EVALUATOR" "$EVALUATOR_USER"
    hang_up
    stop_server
done
