# Sourced by the benchmark scripts (Benchmarks/shopify/ingest.sh, Benchmarks/clerk/me.sh): a
# temporary folder, and `drover dev` started on CPU 0 and stopped, one server at a time.
DROVER=${DROVER:-.build/release/drover}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start() { # log file, drover dev arguments...
    local log=$1
    shift
    taskset -c 0 "$DROVER" dev "$@" 2>"$log" &
    server=$!
    for _ in $(seq 1 300); do
        grep -q "Ready on http://" "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "the server did not start:" >&2
    cat "$log" >&2
    exit 1
}

stop() {
    kill -INT "$server"
    wait "$server" || true
    server=""
}
