# Shared by the benchmark scripts (sourced, not run).

# pg_log_file DB: the file PostgreSQL writes its log to, if this user can read it.
pg_log_file() {
    local f dir
    f=$(psql -X -At -d "$1" -c 'SELECT pg_current_logfile()' 2>/dev/null || true)
    if [[ -n "$f" ]]; then
        [[ "$f" == /* ]] || { dir=$(psql -X -At -d "$1" -c 'SHOW data_directory'); f="$dir/$f"; }
    else
        # logging_collector off: Debian's pg_ctlcluster sends the server's stderr here.
        f=$(ls -t /var/log/postgresql/postgresql-*.log 2>/dev/null | head -n 1 || true)
    fi
    [[ -n "$f" && -r "$f" ]] && echo "$f"
}

# statements_logged DB APPLICATION_NAME LOG FROM_BYTE TO_BYTE: how many statements the
# sessions of APPLICATION_NAME (still connected) logged between the two offsets of LOG, each
# BEGIN, COMMIT and execute of a prepared statement counted; "?" when none is connected.
statements_logged() {
    local pids
    pids=$(psql -X -At -d "$1" -c "SELECT string_agg(pid::text, '|') FROM pg_stat_activity
        WHERE application_name = '$2'")
    [[ -n "$pids" ]] || { echo "?"; return; }
    tail -c "+$(($4 + 1))" "$3" | head -c "$(($5 - $4))" \
        | grep -cE "\[($pids)\] .*LOG: +(statement|execute [^:]*):" || true
}

# wait_until_ready BASE PID WHAT: polls BASE/health/ready every 20 ms until it answers; dies
# (the calling script's `die`) when process PID exits first or after 30 s.
wait_until_ready() {
    local started
    started=$(date +%s%N)
    while ! curl -fs -o /dev/null "$1/health/ready"; do
        kill -0 "$2" 2>/dev/null || die "$3 exited"
        (($(date +%s%N) - started < 30000000000)) || die "$3 is not ready after 30 s"
        sleep 0.02
    done
}
