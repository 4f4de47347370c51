#!/usr/bin/env bash
# The programme report against its bar (spec/quality.md: GET /api/v1/programmes/{id}/report over
# the scale-1 set ≤ 300 ms): seed-demo on a fresh PostgreSQL database (timed), then the report of
# Region Hovedstaden's programme over its whole period, one warm-up and N timed requests, one at a
# time. See bench/README.md.
#
#   bash bench/report.sh [--keep]        # --keep: leave the database for EXPLAIN ANALYZE
#
# To time a change without seeding again: keep a database (--keep), then run with
# BENCH_REUSE_DATABASE=1 and BENCH_PASSWORD (the demo password that seed printed): the database is
# migrated (new migrations only), vacuumed and timed as it is, and kept.
#
# Knobs (environment): BENCH_SCALE (1), BENCH_SEED (1), BENCH_REPORT_RUNS (10), BENCH_PORT
# (18081), BENCH_DATABASE (brobygger_report_bench), BENCH_KEEP_DATABASE (0), BENCH_REUSE_DATABASE
# (0), BENCH_PASSWORD (with reuse), BENCH_BUILD (1; 0: time the binary already built), BENCH_WORK (a temp
# dir for logs), CARGO_TARGET_DIR (/work/bench-target), PGHOST/PGPORT/PGUSER
# (127.0.0.1/5432/postgres), BENCH_SERVER_PGOPTIONS (PGOPTIONS for the server only).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/bench-target}
SCALE=${BENCH_SCALE:-1}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_REPORT_RUNS:-10}
PORT=${BENCH_PORT:-18081}
DB=${BENCH_DATABASE:-brobygger_report_bench}
KEEP=${BENCH_KEEP_DATABASE:-0}
REUSE=${BENCH_REUSE_DATABASE:-0}
for arg in "$@"; do
    case $arg in
        --keep) KEEP=1 ;;
        *) echo "usage: bash bench/report.sh [--keep]" >&2; exit 2 ;;
    esac
done
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
WORK=${BENCH_WORK:-$(mktemp -d /tmp/brobygger-report.XXXXXX)}
mkdir -p "$WORK"
BASE="http://127.0.0.1:$PORT"
BAR_MS=300
SERVER_PID=""
DB_CREATED=0

log() { printf '[report %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
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
    if ((DB_CREATED)); then
        if [[ "$KEEP" == 1 ]]; then
            log "database $DB kept (psql -h $PGHOST -U $PGUSER -d $DB)"
        else
            psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
            log "database $DB dropped"
        fi
    fi
    log "logs kept in $WORK"
}
trap cleanup EXIT

for tool in psql curl jq; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install postgresql-client curl jq)"
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- build ---------------------------------------------------------------------------------
if [[ "${BENCH_BUILD:-1}" != 0 ]]; then
    log "building the release binary (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO" && cargo build --release -p brobygger-api --quiet)
fi
BIN="$CARGO_TARGET_DIR/release/brobygger"
[[ -x "$BIN" ]] || die "no binary at $BIN"

# --- database, migrations, seed ------------------------------------------------------------
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
# Any 32 bytes, base64; the benchmark's data is throwaway.
export BROBYGGER_ENCRYPTION_KEY="YnJvYnlnZ2VyLWJlbmNoLWtleS0zMi1ieXRlcy1sb24="
export RUST_LOG=warn
if [[ "$REUSE" == 1 ]]; then
    [[ -n "${BENCH_PASSWORD:-}" ]] || die "BENCH_REUSE_DATABASE=1 needs BENCH_PASSWORD (the demo password)"
    [[ $(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'") == 1 ]] ||
        die "no database $DB to reuse"
    log "reusing the database $DB (migrating it)"
    "$BIN" migrate >"$WORK/migrate.log" 2>&1 || die "migrate: $(tail -n 5 "$WORK/migrate.log")"
    SEED_MS=""
    PASSWORD=$BENCH_PASSWORD
else
    log "creating a fresh database $DB"
    psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
        -c "CREATE DATABASE $DB"
    DB_CREATED=1
    "$BIN" migrate >"$WORK/migrate.log" 2>&1 || die "migrate: $(tail -n 5 "$WORK/migrate.log")"
    log "seed-demo --scale $SCALE --seed $SEED (progress in $WORK/seed.err)"
    started=$(date +%s%N)
    "$BIN" seed-demo --scale "$SCALE" --seed "$SEED" >"$WORK/seed.out" 2>"$WORK/seed.err" ||
        die "seed-demo: $(tail -n 5 "$WORK/seed.err")"
    SEED_MS=$((($(date +%s%N) - started) / 1000000))
    PASSWORD=$(awk '$1 == "password" {print $2}' "$WORK/seed.out")
    [[ -n "$PASSWORD" ]] || die "no demo password in $WORK/seed.out"
fi
psql -X -q -d "$DB" -c "VACUUM ANALYZE"
ROWS=$(psql -X -At -d "$DB" -c "SELECT (SELECT count(*) FROM citizens) || ' citizens, ' ||
    (SELECT count(*) FROM support_courses) || ' support courses, ' ||
    (SELECT count(*) FROM contacts) || ' contacts, ' ||
    (SELECT count(*) FROM course_enrolments) || ' course enrolments, ' ||
    (SELECT count(*) FROM advisory_findings) || ' advisory findings'")

# --- server --------------------------------------------------------------------------------
if curl -s -o /dev/null "$BASE/health/live"; then
    die "something already listens on 127.0.0.1:$PORT"
fi
PROBE_APP="brobygger-report-probe-$$"
# start_server [PGOPTIONS]: the server on $PORT, its sessions named $PROBE_APP; waits until ready.
start_server() {
    log "starting the server on 127.0.0.1:$PORT"
    (
        export BROBYGGER_BIND="127.0.0.1:$PORT" PGAPPNAME="$PROBE_APP"
        export BROBYGGER_JWT_SECRET="brobygger-bench-jwt-secret-at-least-32-characters"
        if [[ -n "${1:-}" ]]; then export PGOPTIONS="$1"; fi
        exec "$BIN" serve
    ) >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_until_ready "$BASE" "$SERVER_PID" "the server"
}
stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
start_server "${BENCH_SERVER_PGOPTIONS:-}"

login() {
    curl -fsS -X POST -H 'Content-Type: application/json' "$BASE/api/v1/auth/token" \
        --data "$(jq -nc --arg u "$1" --arg p "$PASSWORD" '{grant_type: "password", username: $u, password: $p}')" |
        jq -r .access_token
}
ADMIN=$(login demo-admin) || die "demo-admin cannot sign in"
PROGRAMME=$(curl -fsS -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/programmes?limit=200" |
    jq -c '.items[] | select(.name == "Peer-støtte i Region Hovedstaden")')
[[ -n "$PROGRAMME" ]] || die "no programme 'Peer-støtte i Region Hovedstaden'"
ID=$(jq -r .id <<<"$PROGRAMME")
FROM=$(jq -r .start_date <<<"$PROGRAMME")
TO=$(jq -r '.end_date // empty' <<<"$PROGRAMME")
[[ -n "$TO" ]] || TO=$(date +%F)
URL="$BASE/api/v1/programmes/$ID/report?from=$FROM&to=$TO"
# The demo coordinator reads it if its organisation is a partner of the programme; else admin.
WHO=demo-admin TOKEN=$ADMIN
COORDINATOR=$(login demo-coordinator) || die "demo-coordinator cannot sign in"
if [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $COORDINATOR" "$URL") == 200 ]]; then
    WHO=demo-coordinator TOKEN=$COORDINATOR
fi

# request: one report, prints curl's time_total in ms; dies on anything but 200.
request() {
    local out
    out=$(curl -sS -o "$WORK/report.json" -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' "$URL")
    [[ ${out%% *} == 200 ]] || die "GET report: ${out%% *}: $(head -c 500 "$WORK/report.json")"
    awk -v t="${out#* }" 'BEGIN {printf "%.1f", t * 1000}'
}
log "report of $ID ($FROM..$TO) as $WHO: 1 warm-up + $RUNS timed"
WARM=$(request)
TIMES=()
for _ in $(seq 1 "$RUNS"); do TIMES+=("$(request)"); done

# Round trips: a server whose sessions log every statement, a warm-up, then PROBES reports; the
# statements its sessions logged meanwhile (BEGIN, SET, each execute, COMMIT), per report.
PROBES=3
PER_REQUEST="? (PostgreSQL's log is not readable here)"
PG_LOG=$(pg_log_file "$DB" || true)
if [[ -n "$PG_LOG" ]]; then
    stop_server
    start_server "-c log_statement=all"
    request >/dev/null
    sleep 0.3
    before=$(stat -c %s "$PG_LOG")
    for _ in $(seq 1 "$PROBES"); do request >/dev/null; done
    sleep 0.5
    n=$(statements_logged "$DB" "$PROBE_APP" "$PG_LOG" "$before" "$(stat -c %s "$PG_LOG")")
    [[ "$n" == "?" ]] || PER_REQUEST=$(awk -v n="$n" -v r="$PROBES" 'BEGIN {printf "%.1f", n / r}')
fi
read -r MIN MEDIAN MAX < <(printf '%s\n' "${TIMES[@]}" | sort -n | awk '
    {t[NR] = $1} END {m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2;
    printf "%.1f %.1f %.1f\n", t[1], m, t[NR]}')
VERDICT=$(awk -v m="$MEDIAN" -v b="$BAR_MS" 'BEGIN {print (m <= b) ? "PASS (median within the bar)" : "FAIL (median over the bar)"}')
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
FIGURES=$(jq -c '{citizens_reached, contacts: .contacts.count, support_courses_started: .support_courses.started}' "$WORK/report.json" 2>/dev/null || echo '{}')

cat <<EOF

Programme report benchmark ($(date -u +%FT%TZ), $(nproc) cores, load before $LOAD_BEFORE, after $LOAD_AFTER)
  data set          seed-demo --scale $SCALE --seed $SEED: $ROWS
  seed time         $(if [[ -n "$SEED_MS" ]]; then awk -v ms="$SEED_MS" 'BEGIN {printf "%.1f s (seed-demo alone, after migrations)", ms / 1000}'; else echo "none (database $DB reused, migrated)"; fi)
  request           GET /api/v1/programmes/$ID/report?from=$FROM&to=$TO as $WHO
                    ("Peer-støtte i Region Hovedstaden", its whole period)
  warm-up           $WARM ms
  timed ($RUNS)       ${TIMES[*]} ms
  min/median/max    $MIN / $MEDIAN / $MAX ms (curl time_total, one request at a time)
  bar               ≤ $BAR_MS ms: $VERDICT
  round trips       $PER_REQUEST statements per report (PostgreSQL's statement log, $PROBES reports
                    after a warm-up, every statement of the server's sessions counted)
  answer            $FIGURES
EOF
