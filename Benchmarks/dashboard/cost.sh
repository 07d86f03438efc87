#!/usr/bin/env bash
# What the dashboard costs when nobody looks, and when a browser's live tail has stalled: GET /hello
# (Benchmarks/hello.toml) with the dashboard on, with --no-dashboard, and with the dashboard on and
# a live-tail connection that never reads, alternated ROUNDS times (Benchmarks/README.md,
# "Dashboard"). The server pinned to CPU 0, wrk to CPU 1.
# Needs: swift build -c release --static-swift-stdlib --product drover; wrk; taskset; python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

. Benchmarks/serve.sh
ROUNDS=${ROUNDS:-3}

run() { # label, extra drover dev arguments...
    local label=$1
    shift
    start "$work/$label.log" --config Benchmarks/hello.toml --port 8080 "$@"
    local stalled=""
    if [ "$label" = stalled-tail ]; then
        # A browser tab whose live tail stopped reading: connected, a tiny receive buffer, never read.
        python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", 8080))
s.sendall(b"GET /cdn-cgi/explorer/api/local/tail HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
time.sleep(3600)' &
        stalled=$!
        sleep 0.5
    fi
    taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" http://127.0.0.1:8080/hello | grep -oE 'Requests/sec: +[0-9.]+' |
        grep -oE '[0-9.]+$' >>"$work/$label.txt"
    [ -n "$stalled" ] && kill "$stalled"
    stop
}

for round in $(seq 1 "$ROUNDS"); do
    run dashboard
    run no-dashboard --no-dashboard
    run stalled-tail
done
for label in dashboard no-dashboard stalled-tail; do
    echo "$label: $(tr '\n' ' ' <"$work/$label.txt")req/s"
done
on=$(sort -n "$work/dashboard.txt" | sed -n "$(((ROUNDS + 1) / 2))p")
off=$(sort -n "$work/no-dashboard.txt" | sed -n "$(((ROUNDS + 1) / 2))p")
stalled=$(sort -n "$work/stalled-tail.txt" | sed -n "$(((ROUNDS + 1) / 2))p")
echo "medians: dashboard on $on, off $off ($(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')x), stalled tail $stalled ($(awk -v a="$stalled" -v b="$off" 'BEGIN { printf "%.3f", a / b }')x)"
